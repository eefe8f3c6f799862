import { endpointPath } from '../endpoint-path.ts';
import type { Flow, SystemModel, TargetKind } from '../../model/system-model.ts';
import { CLIENT, flowCalls, targetTitle } from './flow-calls.ts';
import { idAllocator, mermaidLabel, wrappedLabel } from './mermaid-text.ts';

const DEFAULT_DOES: Record<TargetKind, string> = {
  component: 'forward the request',
  integration: 'call',
  database: 'query',
  cache: 'read',
  queue: 'publish',
};

const REPLY: Record<TargetKind, string> = {
  component: 'result',
  integration: 'response',
  database: 'rows',
  cache: 'cached value',
  queue: 'ack',
};

/**
 * Mermaid sequence diagram of one flow: the user (an actor), one participant per step target,
 * a request arrow per step carrying the step's `does` text (the first one also names the
 * endpoint), asynchronous steps as `-)` arrows without a reply, events the flow emits published
 * to the queue and delivered to their consumers, and replies unwinding back to the user (the last
 * one says what the endpoint returns).
 *
 * @example
 * diagram('shorten', sequenceDiagram(model, model.flows[0]!))
 */
export function sequenceDiagram(model: SystemModel, flow: Flow): string {
  const pid = idAllocator('p');
  const participants = new Map<string, string>();
  const participant = (name: string, kind: TargetKind) => {
    const key = `${kind}:${name}`;
    const id = pid(key, name);
    if (!participants.has(key)) participants.set(key, `  participant ${id} as ${mermaidLabel(kind === 'integration' ? `${name} (external)` : targetTitle(model, name, kind))}`);
    return id;
  };
  const user = 'user';
  const calls = flowCalls(flow);
  // A background flow starts at the queue, which delivers the event and gets an acknowledgement.
  const first = calls[0];
  const root = !first || first.from === CLIENT ? user : participant(first.from, first.fromKind);
  const endpoint = model.api.endpoints.find((e) => e.key === flow.endpoint);
  const messages: string[] = [];
  const say = (from: string, arrow: string, to: string, text: string) => messages.push(`  ${from}${arrow}${to}: ${wrappedLabel(text)}`);
  const stack = [{ id: root, kind: 'component' as TargetKind }];
  const unwindTo = (id: string) => {
    while (stack.length > 1 && stack.at(-1)!.id !== id) {
      const top = stack.pop()!;
      say(top.id, '-->>', stack.at(-1)!.id, stack.length === 1 ? finalReply() : REPLY[top.kind]);
    }
  };
  const finalReply = () => (root === user ? endpoint?.returns ?? 'response' : 'ack');

  calls.forEach((call, i) => {
    const from = call.from === CLIENT ? user : participant(call.from, call.fromKind);
    const to = participant(call.to, call.kind);
    unwindTo(from);
    const does = call.step.does ?? DEFAULT_DOES[call.kind];
    const request = i === 0 && flow.endpoint ? endpointLabel(model, flow.endpoint) : undefined;
    const text = request ? (call.step.does ? `${request} (${does})` : request) : does;
    if (call.step.async) return say(from, '-)', to, text);
    say(from, '->>', to, text);
    if (call.kind === 'component') stack.push({ id: to, kind: call.kind });
    else say(to, '-->>', from, REPLY[call.kind]);
  });

  const publishedByStep = flow.steps.some((s) => s.targetKind === 'queue');
  for (const name of flow.emits) {
    const event = model.events.find((e) => e.name === name);
    const from = stack.at(-1)!.id;
    const queue = model.architecture.storage.queue ? participant('queue', 'queue') : undefined;
    if (queue && !publishedByStep) say(from, '-)', queue, `publish ${name}`);
    for (const consumer of event?.consumers ?? []) say(queue ?? from, '-)', participant(consumer, 'component'), name);
  }
  unwindTo(root);

  const actor = root === user ? [`  actor ${user} as User`] : [];
  return ['sequenceDiagram', '  autonumber', ...actor, ...participants.values(), ...messages].join('\n') + '\n';
}

const endpointLabel = endpointPath;
