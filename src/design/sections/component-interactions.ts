import type { Flow, SystemModel } from '../../model/system-model.ts';
import type { DesignReport, LatencyBudget } from '../design-report.ts';
import { sequenceDiagram } from '../diagrams/sequence-diagram.ts';
import { code, codes, diagram, heading, list, note, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { capitalize, duration, endpointPath, latency, plural, words } from './format.ts';

/**
 * "Component Interactions" (under System Architecture): one numbered sentence per flow and per
 * background process, then for each flow its sequence diagram and latency budget (the target split
 * over the synchronous steps, per percentile), then the background processes: scheduled jobs and
 * event consumers.
 */
export function componentInteractions(report: DesignReport): Block[] {
  const { model } = report;
  const sentences: Inline[][] = [
    ...model.flows.map((f) => flowSentence(model, f)),
    ...model.jobs.map((j): Inline[] => [
      'Background processes will handle ', strong(j.name), ' (', code(j.schedule), ` ${j.timezone}${j.component ? `, on ${j.component}` : ''}) by running: ${j.does}.`,
    ]),
    ...model.events.filter((e) => e.consumers.length).map((e): Inline[] => [
      'Background processes will handle the ', code(e.name), ` event (${e.description}) by delivering it to ${words(e.consumers)}.`,
    ]),
  ];
  const blocks: Block[] = [
    heading(3, 'Component Interactions'),
    paragraph(`Interactions between the system components: ${plural(model.flows.length, 'request flow')}, ${plural(model.jobs.length, 'scheduled job')} and ${plural(model.events.length, 'event')}.`),
    list(sentences, true),
  ];
  for (const flow of model.flows) blocks.push(...flowDetail(report, flow));
  blocks.push(...backgroundProcesses(model));
  return blocks;
}

function flowSentence(model: SystemModel, f: Flow): Inline[] {
  const via = f.endpoint ? [' (', code(endpointPath(model, f.endpoint)), ')'] : [];
  const emits = f.emits.length ? [', and emits ', ...codes(f.emits)] : [];
  return [`When ${f.action}`, ...via, `, the request flows through ${f.description}`, ...emits, '.'];
}

function flowDetail(report: DesignReport, flow: Flow): Block[] {
  const budgets = report.latency.filter((b) => b.flow === flow.name);
  const blocks: Block[] = [
    heading(4, `Flow: ${flow.name}`),
    paragraph(`${capitalize(flow.action)}: a `, strong(flow.operation), ` operation of ${plural(flow.steps.length, 'step')}` +
      (flow.steps.some((s) => s.async) ? ', asynchronous steps off the request path.' : '.')),
    diagram(`Sequence of ${flow.name}`, sequenceDiagram(report.model, flow)),
  ];
  if (budgets.length) blocks.push(...latencyBudget(budgets));
  return blocks;
}

function latencyBudget(budgets: LatencyBudget[]): Block[] {
  const first = budgets[0]!;
  const integration = first.steps.some((s) => s.timeoutMs !== undefined);
  const titles = ['Step', 'Kind', 'Typical>', ...budgets.map((b) => `${b.percentile} budget>`), ...(integration ? ['Timeout>', 'Worst case>'] : [])];
  const rows = first.steps.map((s, i) => [
    [code(s.target)],
    [s.kind],
    [duration(s.typicalMs)],
    ...budgets.map((b) => {
      const step = b.steps[i]!;
      return [latency(step.budgetMs) + (step.explicit ? ' (stated)' : '')];
    }),
    ...(integration ? [[s.timeoutMs === undefined ? '' : duration(s.timeoutMs)], [s.worstCaseMs === undefined ? '' : duration(s.worstCaseMs)]] : []),
  ]);
  rows.push([[strong('total')], [''], [duration(first.typicalTotalMs)], ...budgets.map((b) => [strong(duration(b.targetMs))]), ...(integration ? [[''], ['']] : [])]);
  const verdict = budgets.map((b) => `${b.percentile} ${duration(b.targetMs)}: ${b.feasible ? 'feasible' : 'infeasible'}`);
  const blocks: Block[] = [
    paragraph(`Latency budget of the synchronous steps (${first.operation} targets ${words(verdict)}). Each target is split over the steps in proportion to their typical latency; stated step budgets are kept.`),
    table(titles, rows),
  ];
  const notes = new Map<string, boolean>();
  for (const b of budgets) for (const n of b.notes) notes.set(n, (notes.get(n) ?? false) || !b.feasible);
  for (const [n, infeasible] of notes) blocks.push(note(infeasible ? 'caution' : 'note', `${n}.`));
  return blocks;
}

function backgroundProcesses(model: SystemModel): Block[] {
  if (!model.jobs.length && !model.events.length) return [];
  const blocks: Block[] = [heading(4, 'Background processes')];
  if (model.jobs.length) {
    blocks.push(table(['Job', 'Schedule', 'Runs on', 'Does', 'Timeout>', 'Retries>'], model.jobs.map((j) => [
      [strong(j.name)], [code(j.schedule), ` ${j.timezone}`], [j.component ?? 'scheduler'], [j.does],
      [j.timeoutMs === undefined ? 'none' : duration(j.timeoutMs)], [String(j.retries)],
    ])));
  }
  if (model.events.length) {
    const handler = (component: string, event: string) => model.architecture.components.find((c) => c.name === component)?.handlers[event];
    blocks.push(table(['Event', 'Meaning', 'Producer', 'Consumers', 'Payload'], model.events.map((e) => [
      [code(e.name)], [e.description], [e.producer ?? 'unspecified'],
      [words(e.consumers.map((c) => (handler(c, e.name) ? `${c} (${handler(c, e.name)})` : c)), 'none')],
      codes(Object.entries(e.payload).map(([k, t]) => `${k}: ${t}`)),
    ])));
  }
  return blocks;
}
