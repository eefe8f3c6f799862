import type { Spec } from '../../spec/schema/index.ts';
import { parseDuration, parsePercent } from '../../spec/units.ts';
import { DEFAULTS } from './defaults.ts';
import { figure, type Loc } from './figures.ts';
import type * as M from '../system-model.ts';

/** Normalizes `architecture.components`, with assumed availability and latency by kind. */
export function buildComponents(spec: Spec, loc: Loc): M.Component[] {
  return Object.entries(spec.architecture.components).map(([name, c]) => ({
    ...loc(['architecture', 'components', name]),
    name,
    kind: c.kind,
    purpose: c.purpose,
    owns: c.owns ?? [],
    consumes: c.consumes ?? [],
    handlers: c.handlers ?? {},
    availability: figure(c.availability, parsePercent, DEFAULTS.componentAvailability[c.kind]),
    latencyMs: figure(c.latency, parseDuration, DEFAULTS.componentLatencyMs[c.kind]),
  }));
}

/** Normalizes `architecture.storage`: the primary database, cache and queue with their figures. */
export function buildStorage(spec: Spec, loc: Loc): M.Architecture['storage'] {
  const s = spec.architecture.storage;
  return {
    primary: {
      ...loc(['architecture', 'storage', 'primary']),
      engine: s.primary.engine,
      holds: s.primary.holds,
      purpose: s.primary.purpose,
      availability: figure(s.primary.availability, parsePercent, DEFAULTS.database.availability),
      latencyMs: figure(s.primary.latency, parseDuration, DEFAULTS.database.latencyMs),
    },
    cache: s.cache && {
      ...loc(['architecture', 'storage', 'cache']),
      engine: s.cache.engine,
      maxEntries: s.cache.maxEntries ?? DEFAULTS.cache.maxEntries,
      availability: figure(s.cache.availability, parsePercent, DEFAULTS.cache.availability),
      latencyMs: figure(s.cache.latency, parseDuration, DEFAULTS.cache.latencyMs),
    },
    queue: s.queue && {
      ...loc(['architecture', 'storage', 'queue']),
      engine: s.queue.engine,
      availability: figure(s.queue.availability, parsePercent, DEFAULTS.queue.availability),
      latencyMs: figure(s.queue.latency, parseDuration, DEFAULTS.queue.latencyMs),
    },
  };
}

/** Normalizes `scalability`, filling service and database times per operation type. */
export function buildScalability(spec: Spec, loc: Loc, ops: string[]): M.Scalability {
  const s = spec.scalability;
  const perOp = (given: Record<string, string> | undefined, fallback: Record<string, number>) =>
    Object.fromEntries(ops.map((op) => [op, figure(given?.[op], parseDuration, fallback[op] ?? fallback.other!)]));
  return {
    ...loc(['scalability']),
    horizontal: { ...s.horizontal },
    instances: { ...s.instances },
    database: { approach: s.database.approach, readReplicas: s.database.readReplicas ?? 0, pool: s.database.pool ?? DEFAULTS.pool },
    cache: Object.entries(s.cache ?? {}).map(([target, ttl]) => ({
      target, targetKind: target in spec.api.endpoints ? ('endpoint' as const) : ('entity' as const), ttlMs: parseDuration(ttl), text: ttl,
    })),
    loadBalancer: s.loadBalancer,
    capacity: {
      serviceTimeMs: perOp(s.capacity?.serviceTime, DEFAULTS.serviceTimeMs),
      source: s.capacity?.source ?? 'assumed',
      serversPerInstance: s.capacity?.serversPerInstance ?? 1,
      dbTimeMs: perOp(s.capacity?.dbTime, DEFAULTS.dbTimeMs),
    },
  };
}

/** A flow's steps in words, for flows without a description. */
export function describeSteps(steps: M.FlowStep[]): string {
  const words: Record<M.TargetKind, (n: string) => string> = {
    component: (n) => `the ${n} component`,
    integration: (n) => `the ${n} integration`,
    database: () => 'the primary database',
    cache: () => 'the cache',
    queue: () => 'the event queue',
  };
  return steps.map((s) => words[s.targetKind](s.target) + (s.async ? ' (asynchronously)' : '')).join(', then ');
}
