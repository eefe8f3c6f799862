import type { SystemModel } from '../../model/system-model.ts';
import type { TraceRow } from '../design-report.ts';

/**
 * Traces each functional requirement to what satisfies it: the endpoints, flows and jobs it names
 * explicitly, plus every flow started by one of its endpoints (a flow's `endpoint`). A requirement
 * that nothing satisfies gets `satisfied: false`. Rows keep the order of the spec; lists keep the
 * order they were named in, without duplicates.
 *
 * @example
 * traceability(model).find((r) => r.id === 'FR1') // { endpoints: ['POST /links'], flows: ['shorten'], jobs: [], satisfied: true, ... }
 */
export function traceability(model: SystemModel): TraceRow[] {
  return model.requirements.functional.map((fr) => {
    const startedFlows = model.flows.filter((f) => f.endpoint !== undefined && fr.endpoints.includes(f.endpoint)).map((f) => f.name);
    const endpoints = unique(fr.endpoints);
    const flows = unique([...fr.flows, ...startedFlows]);
    const jobs = unique(fr.jobs);
    return { id: fr.id, text: fr.text, endpoints, flows, jobs, satisfied: endpoints.length + flows.length + jobs.length > 0 };
  });
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
