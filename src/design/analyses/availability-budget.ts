import type { Figure, FlowStep, SystemModel } from '../../model/system-model.ts';
import type { AvailabilityBudget, AvailabilityStep, FlowAvailability } from '../design-report.ts';
import { downtimeAllowance, redundant, serial } from './availability.ts';
import { plural } from './number-text.ts';

/** Integration fallbacks that still answer the caller successfully when the integration is down. */
const FAILS_OPEN = new Set(['allow', 'cached', 'queue']);

/**
 * Availability budget: for each flow, the synchronous steps (async steps are off the request path),
 * each target counted once, composed in series. One instance's availability comes from the
 * component, integration or storage; replicas from `resilience.redundancy` when it names the
 * target, else `scalability.instances.min` for horizontally scaled components, else 1; integrations
 * always count as one replica. A step's effective availability is 1 - (1 - a)^replicas, except an
 * integration whose fallback still answers the caller (allow, cached, queue): its outages degrade
 * the flow instead of failing it, so it counts as 1 and its kind says so.
 *
 * @example
 * const budget = availabilityBudget(model);
 * budget.flows.map((f) => [f.flow, f.composite]); // Linkly: [['shorten', ≈0.999999625], ['visit', ≈0.999998875]]
 */
export function availabilityBudget(model: SystemModel): AvailabilityBudget {
  const target = model.requirements.nonFunctional.availability;
  const flows = model.flows.map((flow): FlowAvailability => {
    const firstSyncSteps = flow.steps.filter((s, i) => !s.async && flow.steps.findIndex((x) => !x.async && x.target === s.target) === i);
    const steps = firstSyncSteps.map((s) => stepAvailability(model, s));
    const composite = serial(steps.map((s) => s.effective));
    const weakest = steps.reduce<AvailabilityStep | undefined>((w, s) => (!w || s.effective < w.effective ? s : w), undefined);
    return { flow: flow.name, steps, composite, meetsTarget: composite >= target, weakest: weakest?.target };
  });
  const reachable = flows.every((f) => f.meetsTarget);
  return { target, allowance: { availability: target, ...downtimeAllowance(target) }, flows, reachable, verdict: verdict(target, flows) };
}

function stepAvailability(model: SystemModel, step: FlowStep): AvailabilityStep {
  const { figure, replicas, kind, failsOpen } = describeTarget(model, step);
  const effective = failsOpen ? 1 : redundant(figure.value, replicas);
  return { target: step.target, kind, availability: figure.value, assumed: figure.assumed, replicas, effective };
}

interface TargetFacts {
  figure: Figure;
  replicas: number;
  kind: string;
  failsOpen: boolean;
}

function describeTarget(model: SystemModel, step: FlowStep): TargetFacts {
  const { storage } = model.architecture;
  const declared = model.resilience.redundancy.find((r) => r.target === step.target)?.replicas;
  const facts = (figure: Figure | undefined, replicas: number, kind: string, failsOpen = false): TargetFacts => {
    if (!figure) throw new Error(`flow step "${step.path}" names ${step.targetKind} "${step.target}", which the model does not have`);
    return { figure, replicas, kind, failsOpen };
  };
  switch (step.targetKind) {
    case 'component': {
      const c = model.architecture.components.find((x) => x.name === step.target);
      const scaled = model.scalability.horizontal.components.includes(step.target) ? model.scalability.instances.min : 1;
      return facts(c?.availability, declared ?? scaled, c?.kind ?? 'component');
    }
    case 'integration': {
      const i = model.requirements.integrations.find((x) => x.name === step.target);
      const failsOpen = !!i?.fallback && FAILS_OPEN.has(i.fallback);
      return facts(i?.availability, 1, failsOpen ? `integration, fails open (fallback: ${i?.fallback})` : 'integration', failsOpen);
    }
    case 'database':
      return facts(storage.primary.availability, declared ?? 1, `database (${storage.primary.engine})`);
    case 'cache':
      return facts(storage.cache?.availability, declared ?? 1, `cache (${storage.cache?.engine})`);
    case 'queue':
      return facts(storage.queue?.availability, declared ?? 1, `queue (${storage.queue?.engine})`);
  }
}

function verdict(target: number, flows: FlowAvailability[]): string {
  const goal = `The ${percent(target)} availability target`;
  if (flows.length === 0) return `${goal} has no flows to check: the spec declares no request flows, so there is nothing to compose.`;
  const failing = flows.filter((f) => !f.meetsTarget);
  const failOpen = [...new Set(flows.flatMap((f) => f.steps.filter((s) => s.kind.includes('fails open')).map((s) => s.target)))];
  const degraded = failOpen.length
    ? ` ${failOpen.join(', ')} ${failOpen.length === 1 ? 'fails' : 'fail'} open, so an outage there degrades requests instead of failing them.`
    : '';
  if (failing.length === 0) {
    const weakest = flows.reduce((w, f) => (f.composite < w.composite ? f : w));
    return `${goal} is reachable as designed: every flow composes to at least it, the weakest, ${weakest.flow}, to ${percent(weakest.composite)}.${degraded}`;
  }
  const fixes = failing.map((f) => {
    const step = f.steps.find((s) => s.target === f.weakest);
    const how = step?.kind.startsWith('integration') ? 'give it a fallback or choose a more available provider' : 'add replicas in resilience.redundancy';
    return `${f.flow} composes to ${percent(f.composite, target)}; its weakest step is ${f.weakest} (${step ? `${percent(step.availability)} per instance, ${plural(step.replicas, 'replica')}` : 'unknown'}): ${how}`;
  });
  return `${goal} is not reachable as designed. ${fixes.join('. ')}.${degraded}`;
}

/**
 * An availability for people, the one formatter of the design document: at least 4 decimals, more
 * when the unavailability needs them (99.95%, 99.9301%, 99.9999875%), never rounded up to 100%,
 * and, given `distinctFrom`, never reading the same as a target it differs from.
 */
export function percent(a: number, distinctFrom?: number): string {
  const down = 1 - a;
  if (down <= 0) return '100%';
  let decimals = Math.min(12, Math.max(4, Math.floor(-Math.log10(down) + 1e-9) + 1));
  const show = (x: number, d: number) => `${Number((x * 100).toFixed(d))}%`;
  while (decimals < 12 && (show(a, decimals) === '100%' || (distinctFrom !== undefined && a !== distinctFrom && show(a, decimals) === show(distinctFrom, decimals)))) decimals++;
  return show(a, decimals);
}
