import { createMemoryCacheStore } from '../../src/adapters/cache/memory/memory-cache-store.ts';
import { cacheStoreConformance } from './cache-store.suite.ts';

cacheStoreConformance('memory', { open: async (config) => createMemoryCacheStore({ engine: 'memory', ...config }) });
