import type { Spec } from '../../spec/schema/index.ts';
import { parseDuration, parseGrowth, parseHorizon, parsePercent, parseRate } from '../../spec/units.ts';
import { DEFAULTS } from './defaults.ts';
import { assumed, figure, stated, type Loc } from './figures.ts';
import type * as M from '../system-model.ts';

/** Normalizes `requirements`: traceability lists, data rules, NFR figures with their defaults. */
export function buildRequirements(spec: Spec, loc: Loc, integrations: M.Integration[]): M.Requirements {
  const nfr = spec.requirements.nonFunctional;
  const ops = Object.keys(nfr.latency);
  const defaultMix = Object.fromEntries(ops.map((op) => [op, op === 'read' && ops.includes('write') ? 0.8 : op === 'write' && ops.includes('read') ? 0.2 : 1 / ops.length]));
  const hasReadWrite = ops.includes('read') && ops.includes('write');
  if (hasReadWrite && ops.length > 2) {
    const rest = 0.1 / (ops.length - 2);
    for (const op of ops) defaultMix[op] = op === 'read' ? 0.7 : op === 'write' ? 0.2 : rest;
  }
  return {
    functional: Object.entries(spec.requirements.functional).map(([id, fr]) => ({
      ...loc(['requirements', 'functional', id]), id, text: fr.text, endpoints: fr.by ?? [], flows: fr.flows ?? [], jobs: fr.jobs ?? [],
    })),
    integrations,
    data: spec.requirements.data.map((r, i) => {
      const l = loc(['requirements', 'data', i]);
      switch (r.rule) {
        case 'retention':
          return { ...l, rule: r.rule, entity: r.entity, keepMs: parseDuration(r.keep), keepText: r.keep };
        case 'backup':
          return { ...l, rule: r.rule, rpoMs: parseDuration(r.rpo), rtoMs: parseDuration(r.rto) };
        default:
          return { ...l, ...r };
      }
    }),
    nonFunctional: {
      users: {
        concurrent: nfr.users.concurrent,
        monthlyGrowth: parseGrowth(nfr.users.growth),
        growthText: nfr.users.growth,
        horizonMonths: nfr.users.horizon ? parseHorizon(nfr.users.horizon) : DEFAULTS.horizonMonths,
      },
      traffic: {
        requestsPerUserPerSecond: figure(nfr.traffic?.requestsPerUser, parseRate, DEFAULTS.requestsPerUserPerMinute / 60),
        peakFactor: nfr.traffic?.peakFactor === undefined ? assumed(DEFAULTS.peakFactor) : stated(nfr.traffic.peakFactor),
        mix: nfr.traffic?.mix ? Object.fromEntries(Object.entries(nfr.traffic.mix).map(([k, v]) => [k, parsePercent(v)])) : defaultMix,
        mixAssumed: !nfr.traffic?.mix,
      },
      latency: Object.fromEntries(Object.entries(nfr.latency).map(([op, t]) => [op, latencyTargets(t)])),
      availability: parsePercent(nfr.availability),
      sloWindowMs: parseDuration(nfr.sloWindow ?? DEFAULTS.sloWindow),
      compliance: nfr.compliance,
      integrity: nfr.integrity,
    },
  };
}

function latencyTargets(t: Partial<Record<string, string>>): M.LatencyTarget[] {
  const q: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 };
  return Object.entries(t)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([label, text]) => ({ label, quantile: q[label]!, ms: parseDuration(text) }))
    .sort((a, b) => a.quantile - b.quantile);
}

/** Normalizes `requirements.integrations` (timeouts in ms, breaker fractions, assumed figures). */
export function buildIntegrations(spec: Spec, loc: Loc): M.Integration[] {
  return Object.entries(spec.requirements.integrations ?? {}).map(([name, i]) => ({
    ...loc(['requirements', 'integrations', name]),
    name,
    purpose: i.purpose,
    url: i.url,
    timeoutMs: i.timeout ? parseDuration(i.timeout) : undefined,
    retries: i.retry ?? 0,
    idempotent: i.idempotent ?? true,
    breaker: i.breaker && {
      failureRate: parsePercent(i.breaker.failureRate),
      windowMs: parseDuration(i.breaker.window),
      halfOpenAfterMs: parseDuration(i.breaker.halfOpenAfter),
      minimumCalls: i.breaker.minimumCalls ?? 10,
    },
    bulkhead: i.bulkhead,
    fallback: i.fallback,
    availability: figure(i.availability, parsePercent, DEFAULTS.integration.availability),
    latencyMs: figure(i.latency, parseDuration, DEFAULTS.integration.latencyMs),
    allowPrivateNetwork: i.allowPrivateNetwork ?? false,
  }));
}
