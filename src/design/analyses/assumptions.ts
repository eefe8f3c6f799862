import type { Figure, FlowStep, SystemModel } from '../../model/system-model.ts';
import type { Assumption } from '../design-report.ts';
import { percent } from './availability-budget.ts';
import { formatNumber } from './number-text.ts';

/** A step target's two figures (undefined when the model lacks the target) and the spec object that states them. */
interface TargetFigures {
  /** e.g. "links" or "the primary database". */
  name: string;
  /** What one availability figure covers, e.g. "one instance". */
  unit: string;
  availability?: Figure;
  latencyMs?: Figure;
  /** The spec object stating both figures, e.g. "architecture.storage.cache". */
  field: string;
}

/**
 * Every figure the analyses used that the spec did not state (`assumed: true`), with the spec field
 * that would replace it: availability and typical latency of each target on a synchronous flow step
 * (the availability and latency budgets use no others), traffic per user, peak factor and request
 * mix (capacity plan), and per-operation service and database times. Each figure appears once, in
 * the order the analyses meet them.
 *
 * @example
 * assumptions(model)[0] // { what: 'typical latency of gateway', value: '2 ms', field: 'architecture.components.gateway.latency' }
 */
export function assumptions(model: SystemModel): Assumption[] {
  const list: Assumption[] = [];
  const add = (what: string, figure: Figure | undefined, value: (v: number) => string, field: string) => {
    if (figure?.assumed) list.push({ what, value: value(figure.value), field });
  };
  const ms = (v: number) => `${formatNumber(v, 3)} ms`;
  const seen = new Set<string>();
  for (const step of model.flows.flatMap((f) => f.steps.filter((s) => !s.async))) {
    if (seen.has(step.target)) continue;
    seen.add(step.target);
    const t = targetFigures(model, step);
    add(`availability of ${t.name} (${t.unit})`, t.availability, percent, `${t.field}.availability`);
    add(`typical latency of ${t.name}`, t.latencyMs, ms, `${t.field}.latency`);
  }

  const { traffic } = model.requirements.nonFunctional;
  const trafficField = 'requirements.nonFunctional.traffic';
  add('requests per concurrent user', traffic.requestsPerUserPerSecond, (v) => `${formatNumber(v * 60, 6)}/min`, `${trafficField}.requestsPerUser`);
  add('peak-to-average traffic factor', traffic.peakFactor, (v) => `${v}x`, `${trafficField}.peakFactor`);
  if (traffic.mixAssumed) {
    const mix = Object.entries(traffic.mix).map(([op, share]) => `${op} ${Number((share * 100).toPrecision(6))}%`).join(', ');
    list.push({ what: 'request mix', value: mix, field: `${trafficField}.mix` });
  }

  const { serviceTimeMs, dbTimeMs } = model.scalability.capacity;
  for (const [op, figure] of Object.entries(serviceTimeMs)) {
    add(`mean service time of a ${op} request on one instance`, figure, ms, `scalability.capacity.serviceTime.${op} (with source: measured)`);
  }
  for (const [op, figure] of Object.entries(dbTimeMs)) add(`database time of a ${op} request`, figure, ms, `scalability.capacity.dbTime.${op}`);
  return list;
}

function targetFigures(model: SystemModel, step: FlowStep): TargetFigures {
  const { components, storage } = model.architecture;
  switch (step.targetKind) {
    case 'component': {
      const c = components.find((x) => x.name === step.target);
      return { name: step.target, unit: 'one instance', ...figures(c), field: `architecture.components.${step.target}` };
    }
    case 'integration': {
      const i = model.requirements.integrations.find((x) => x.name === step.target);
      return { name: step.target, unit: 'the provider', ...figures(i), field: `requirements.integrations.${step.target}` };
    }
    case 'database':
      return { name: 'the primary database', unit: 'one node', ...figures(storage.primary), field: 'architecture.storage.primary' };
    case 'cache':
      return { name: 'the cache', unit: 'one node', ...figures(storage.cache), field: 'architecture.storage.cache' };
    case 'queue':
      return { name: 'the queue', unit: 'one node', ...figures(storage.queue), field: 'architecture.storage.queue' };
  }
}

function figures(item: { availability: Figure; latencyMs: Figure } | undefined): Pick<TargetFigures, 'availability' | 'latencyMs'> {
  return { availability: item?.availability, latencyMs: item?.latencyMs };
}
