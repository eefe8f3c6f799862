import type { Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { cacheConfigFrom, createCacheStore } from '../../adapters/cache/create-cache-store.ts';
import { redisNamespaceFrom } from '../../adapters/redis/redis-url.ts';
import { ReplicatedStorage } from '../../adapters/storage/replicas/replicated-storage.ts';
import type { ReplicaLog, ReplicaSource } from '../../adapters/storage/replicas/replica-set.ts';
import { cacheWritePositions } from '../../adapters/storage/replicas/write-positions.ts';
import { registerReplicaMetrics } from './replica-metrics.ts';
import { replicaRouting } from './replica-routing.ts';

/** Read replicas for {@link openReplicaReads} (ServerDeps.replicas). */
export interface ReplicaOptions {
  /** The replicas (`DATABASE_REPLICA_URLS`), opened by the poller. */
  sources: ReplicaSource[];
  /** Replay position poll interval, ms (default 200). */
  pollMs?: number;
  /** First and longest wait before a failed replica is tried again, ms (defaults 1000 and 15000). */
  retryMs?: number;
  maxRetryMs?: number;
  /** How long a principal's write position counts, ms (default 60000). */
  positionTtlMs?: number;
}

/** Most principals whose write positions the in-process store keeps (beyond it, evictions raise every principal's position; see cacheWritePositions). */
const MEMORY_POSITIONS = 100_000;

/**
 * `primary` with record reads served by the read replicas (see ReplicatedStorage), read-your-writes
 * per signed-in user (replica-routing.ts), the positions in their own cache store (Redis under
 * `<namespace>read-your-writes:` when `REDIS_URL` is set, shared by every instance; memory
 * otherwise), and metrics (replica-metrics.ts). Until `start()` (which opens the replicas and polls
 * them once) every read goes to the primary; `closeReplicas()` stops it, leaving the primary open.
 *
 * @example
 * const storage = await openReplicaReads(model, primary, { sources }, { env, registry, log: app.log });
 * app.addHook('onReady', () => storage.start());
 * app.addHook('onClose', () => storage.closeReplicas());
 */
export async function openReplicaReads(model: SystemModel, primary: Storage, options: ReplicaOptions, deps: { env: Record<string, string | undefined>; registry: Registry; log: ReplicaLog }): Promise<ReplicatedStorage> {
  const cache = cacheConfigFrom(model, deps.env);
  const store = await createCacheStore({ ...cache, maxEntries: MEMORY_POSITIONS, keyPrefix: `${redisNamespaceFrom(deps.env, model.system.name)}read-your-writes:` });
  const positions = cacheWritePositions(store, { closeStore: true, ...(options.positionTtlMs ? { ttlMs: options.positionTtlMs } : {}) });
  let storage: ReplicatedStorage | undefined;
  const metrics = registerReplicaMetrics(deps.registry, () => storage?.status() ?? []);
  storage = new ReplicatedStorage(primary, {
    replicas: options.sources, positions, routing: replicaRouting(model), log: deps.log,
    onRead: metrics.read,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.maxRetryMs !== undefined ? { maxRetryMs: options.maxRetryMs } : {}),
  });
  return storage;
}
