import type { SystemModel, TargetKind } from '../../model/system-model.ts';
import { CLIENT, flowCalls } from './flow-calls.ts';
import { idAllocator, mermaidLabel, quoted } from './mermaid-text.ts';

/**
 * Mermaid flowchart of the system's containers: clients outside, the system boundary as a
 * subgraph holding the components, primary database, cache and queue, and integrations as
 * external systems. Edges come from the flows (solid: synchronous, dotted: asynchronous; labelled
 * with the flow names), from the gateway to the components serving endpoints, from event producers
 * through the queue to consumers, and from components to the database holding the entities they own.
 *
 * @example
 * diagram('Container diagram', containerDiagram(model))
 */
export function containerDiagram(model: SystemModel): string {
  const ids = { component: idAllocator('c'), integration: idAllocator('x'), storage: idAllocator('s') };
  const idOf: Record<TargetKind, (name: string) => string> = {
    component: ids.component,
    integration: ids.integration,
    database: () => ids.storage('primary'),
    cache: () => ids.storage('cache'),
    queue: () => ids.storage('queue'),
  };
  const { components, storage } = model.architecture;
  const label = (...lines: string[]) => `"${lines.map(mermaidLabel).join('<br/>')}"`;
  const out = ['flowchart TB', `  client([${label('Users and API clients')}])`];

  out.push(`  subgraph system[${quoted(`${model.system.name} (${model.system.type})`)}]`);
  for (const c of components) out.push(`    ${ids.component(c.name)}[${label(c.name, `${c.kind}: ${c.purpose}`)}]`);
  const primaryHolds = `${storage.primary.engine}: ${storage.primary.holds.join(', ')}`;
  out.push(`    ${idOf.database('primary')}[(${label('primary database', primaryHolds)})]`);
  if (storage.cache) out.push(`    ${idOf.cache('cache')}[(${label('cache', storage.cache.engine)})]`);
  if (storage.queue) out.push(`    ${idOf.queue('queue')}[[${label('event queue', storage.queue.engine)}]]`);
  out.push('  end');
  for (const i of model.requirements.integrations) out.push(`  ${ids.integration(i.name)}[${label(i.name, `external system: ${i.purpose}`)}]:::external`);

  const edges = new Map<string, { from: string; to: string; async: boolean; labels: string[] }>();
  const edge = (from: string, to: string, async: boolean, text: string) => {
    if (from === to) return;
    const key = `${from}|${to}|${async}`;
    const e = edges.get(key) ?? { from, to, async, labels: [] };
    if (text && !e.labels.includes(text)) e.labels.push(text);
    edges.set(key, e);
  };

  const gateway = components.find((c) => c.kind === 'gateway');
  if (gateway) edge('client', ids.component(gateway.name), false, '');
  for (const flow of model.flows) {
    for (const call of flowCalls(flow)) {
      const from = call.from === CLIENT ? 'client' : idOf[call.fromKind](call.from);
      edge(from, idOf[call.kind](call.to), call.step.async, flow.name);
    }
  }
  if (gateway) {
    for (const ep of model.api.endpoints) if (ep.component && ep.component !== gateway.name) edge(ids.component(gateway.name), ids.component(ep.component), false, 'API');
  }
  for (const ev of model.events) {
    const via = storage.queue ? idOf.queue('queue') : undefined;
    if (ev.producer && via) edge(ids.component(ev.producer), via, true, ev.name);
    for (const consumer of ev.consumers) edge(via ?? (ev.producer ? ids.component(ev.producer) : 'client'), ids.component(consumer), true, ev.name);
  }
  for (const c of components) {
    const owned = c.owns.filter((e) => storage.primary.holds.includes(e));
    if (owned.length) edge(ids.component(c.name), idOf.database('primary'), false, `owns ${owned.join(', ')}`);
  }

  for (const e of edges.values()) {
    const arrow = e.async ? '-.->' : '-->';
    out.push(`  ${e.from} ${arrow}${e.labels.length ? `|${quoted(e.labels.join('; '))}|` : ''} ${e.to}`);
  }
  out.push('  classDef external fill:#f4f4f4,stroke:#888,stroke-dasharray:5 3');
  return out.join('\n') + '\n';
}
