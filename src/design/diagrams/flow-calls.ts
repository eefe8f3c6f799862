import type { Flow, FlowStep, SystemModel, TargetKind } from '../../model/system-model.ts';

/** Who calls a flow step: the client (the user's request) or a component. */
export const CLIENT = Symbol('client');

/** One call on a flow's path: `from` calls `to`, with what the step does. */
export interface FlowCall {
  from: string | typeof CLIENT;
  /** Kind of the caller (meaningless when the client calls). */
  fromKind: TargetKind;
  to: string;
  kind: TargetKind;
  step: FlowStep;
}

/**
 * The calls a flow makes, in order. Components pass the request along (the next step is called by
 * the last synchronous component reached); storage and integrations are called by that component
 * and answer it. The first step is called by the client, except in a background flow (no endpoint,
 * first step the queue): there the queue delivers an event to the next step.
 *
 * @example
 * // steps gateway, links, cache -> client->gateway, gateway->links, links->cache
 */
export function flowCalls(flow: Flow): FlowCall[] {
  const [first, ...rest] = flow.steps;
  const background = !flow.endpoint && first?.targetKind === 'queue';
  let caller: string | typeof CLIENT = background ? first.target : CLIENT;
  let callerKind: TargetKind = background ? 'queue' : 'component';
  return (background ? rest : flow.steps).map((step) => {
    const call: FlowCall = { from: caller, fromKind: callerKind, to: step.target, kind: step.targetKind, step };
    if (step.targetKind === 'component' && !step.async) [caller, callerKind] = [step.target, 'component'];
    return call;
  });
}

/** What a storage target or integration is called in diagrams, e.g. "primary database (postgres)". */
export function targetTitle(model: SystemModel, name: string, kind: TargetKind): string {
  const storage = model.architecture.storage;
  const titles: Record<TargetKind, () => string> = {
    component: () => name,
    integration: () => name,
    database: () => `primary database (${storage.primary.engine})`,
    cache: () => `cache (${storage.cache?.engine ?? 'none'})`,
    queue: () => `event queue (${storage.queue?.engine ?? 'none'})`,
  };
  return titles[kind]();
}
