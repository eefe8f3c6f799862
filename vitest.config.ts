import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser tests share one Chromium; keep worker count to the machine (2 cores on CI).
    pool: 'forks',
    // Vitest's default is one fewer than the cores: a single worker on CI's 2 cores, although most
    // e2e files spend their time waiting on servers and child processes. Two run side by side.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
