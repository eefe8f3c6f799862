import type { ComponentKind } from '../system-model.ts';

/**
 * Every figure archspec assumes when the spec is silent. The design document lists the ones a
 * model used, flagged as assumptions, so a reviewer knows which numbers to replace with measurements.
 */
export const DEFAULTS = {
  horizonMonths: 24,
  requestsPerUserPerMinute: 1,
  peakFactor: 3,
  sloWindow: '30d',
  accessTtl: '15m',
  refreshTtl: '30d',
  componentAvailability: { gateway: 0.999, service: 0.995, worker: 0.995, frontend: 0.999, scheduler: 0.995 } as Record<ComponentKind, number>,
  componentLatencyMs: { gateway: 2, service: 10, worker: 10, frontend: 5, scheduler: 0 } as Record<ComponentKind, number>,
  database: { availability: 0.9995, latencyMs: 5 },
  cache: { availability: 0.999, latencyMs: 1, maxEntries: 10_000 },
  queue: { availability: 0.999, latencyMs: 2 },
  integration: { availability: 0.999, latencyMs: 100 },
  serviceTimeMs: { read: 10, write: 25, other: 15 } as Record<string, number>,
  dbTimeMs: { read: 2, write: 6, other: 4 } as Record<string, number>,
  detection: { intervalMs: 10_000, failureThreshold: 3 },
  pool: 10,
  bodyLimit: '1MiB',
  tracingSampling: 0.1,
} as const;
