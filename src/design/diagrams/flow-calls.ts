import type { Flow, FlowStep, SystemModel, TargetKind } from '../../model/system-model.ts';

/** Who calls a flow step: the client (the user's request) or a component. */
export const CLIENT = Symbol('client');

/** One call on a flow's path: `from` calls `to`, with what the step does. */
export interface FlowCall {
  from: string | typeof CLIENT;
  to: string;
  kind: TargetKind;
  step: FlowStep;
}

/**
 * The calls a flow makes, in order. Components pass the request along (the next step is called by
 * the last synchronous component reached); storage and integrations are called by that component
 * and answer it. The first step is called by the client.
 *
 * @example
 * // steps gateway, links, cache -> client->gateway, gateway->links, links->cache
 */
export function flowCalls(flow: Flow): FlowCall[] {
  let caller: string | typeof CLIENT = CLIENT;
  return flow.steps.map((step) => {
    const call: FlowCall = { from: caller, to: step.target, kind: step.targetKind, step };
    if (step.targetKind === 'component' && !step.async) caller = step.target;
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
