import { defineRule, endpointPlace, placeUnder, type LintRule } from './lint-rule.ts';

/**
 * A flow that describes no work (no synchronous step beyond the gateway), or that nothing starts
 * or asks for (no endpoint, and no requirement names it).
 */
export const flowNamesNothing = defineRule({
  id: 'flow-names-nothing',
  severity: 'warning',
  title: 'A flow does no work beyond the gateway, or no endpoint or requirement leads to it',
}, ({ model }, report) => {
  const gateways = new Set(model.architecture.components.filter((c) => c.kind === 'gateway').map((c) => c.name));
  const wanted = new Set(model.requirements.functional.flatMap((r) => r.flows));
  for (const flow of model.flows) {
    const work = flow.steps.filter((s) => !s.async && !(s.targetKind === 'component' && gateways.has(s.target)));
    if (work.length === 0) {
      report(flow, `${flow.name} has no synchronous step beyond the gateway, so it describes no work on the request path`,
        'Add the components and storage the request goes through to its steps, or remove the flow.');
    } else if (!flow.endpoint && !wanted.has(flow.name)) {
      report(flow, `${flow.name} names no endpoint that starts it and no requirement refers to it`,
        `Add endpoint: "METHOD /path" to flows.${flow.name}, or list it under the flows of the requirement it serves.`);
    }
  }
});

/** A functional requirement that no endpoint, flow or job satisfies (from the trace). */
export const requirementUnsatisfied = defineRule({
  id: 'requirement-unsatisfied',
  severity: 'error',
  title: 'A functional requirement has no endpoint, flow or job behind it',
}, ({ model, trace }, report) => {
  for (const row of trace.filter((r) => !r.satisfied)) {
    report(model.requirements.functional.find((r) => r.id === row.id)!, `${row.id} ("${row.text}") is satisfied by no endpoint, flow or job`,
      `Name what satisfies it: by: ["METHOD /path"], flows: [...] or jobs: [...] on requirements.functional.${row.id}.`);
  }
});

/** An entity no endpoint serves and no event consumer writes: its data has no way in or out. */
export const entityUnreachable = defineRule({
  id: 'entity-unreachable',
  severity: 'info',
  title: 'An entity is served by no endpoint and written by no event consumer',
}, ({ model }, report) => {
  const served = new Set(model.api.endpoints.flatMap((e) => (e.entity ? [e.entity] : [])));
  const consumedInto = new Set(model.architecture.components.filter((c) => c.consumes.length > 0).flatMap((c) => c.owns));
  for (const entity of model.entities.filter((e) => !served.has(e.name) && !consumedInto.has(e.name))) {
    report(entity, `no endpoint mentions ${entity.name} and no component that consumes events owns it, so nothing visibly reads or writes it`,
      `Add an endpoint such as "GET /…": { does: list ${entity.name} }, or let the worker that writes it own it.`);
  }
});

/** An event nothing consumes: it is published for no one. */
export const orphanEvent = defineRule({
  id: 'orphan-event',
  severity: 'warning',
  title: 'An event has no consumer',
}, ({ model }, report) => {
  for (const event of model.events.filter((e) => e.consumers.length === 0)) {
    report(event, `nothing consumes ${event.name}`, `List ${event.name} under consumes: of the worker that handles it, or remove the event.`);
  }
});

/** A worker that consumes no event and runs no job has nothing to do. */
export const workerWithoutConsumer = defineRule({
  id: 'worker-without-consumer',
  severity: 'warning',
  title: 'A worker consumes no event and runs no job',
}, ({ model }, report) => {
  const jobRunners = new Set(model.jobs.flatMap((j) => (j.component ? [j.component] : [])));
  for (const c of model.architecture.components.filter((x) => x.kind === 'worker' && x.consumes.length === 0 && !jobRunners.has(x.name))) {
    report(c, `the worker ${c.name} consumes no event and runs no job, so nothing ever gives it work`,
      `Add consumes: [event] with handlers to architecture.components.${c.name}, give a job component: ${c.name}, or remove it.`);
  }
});

/** Microservices without tracing: a slow request cannot be followed across services. */
export const tracingDisabledMicroservices = defineRule({
  id: 'tracing-disabled-microservices',
  severity: 'warning',
  title: 'Distributed tracing is off in a microservices architecture',
}, ({ model }, report) => {
  if (model.architecture.style !== 'microservices' || model.observability.tracing.tool !== 'none') return;
  report(placeUnder(model.observability, 'tracing', 'tool'), 'tracing is off although requests cross service boundaries: a slow or failed request cannot be followed from service to service',
    'Set observability.tracing to { tool: opentelemetry, exporter: otlp, sampling: 10% }.');
});

/** A generated endpoint that updates or deletes records of an immutable entity: serve refuses every call (409). */
export const writableImmutableEntity = defineRule({
  id: 'writable-immutable-entity',
  severity: 'error',
  title: 'An endpoint updates or deletes records of an immutable entity',
}, ({ model }, report) => {
  const immutable = new Set(model.requirements.data.flatMap((r) => (r.rule === 'immutable' ? r.entities : [])));
  for (const ep of model.api.endpoints.filter((e) => (e.operation === 'update' || e.operation === 'delete') && e.entity && immutable.has(e.entity))) {
    report(endpointPlace(ep), `"${ep.key}" would ${ep.operation} ${ep.entity} records, which requirements.data declares immutable: archspec serve answers every call with 409 immutable_record`,
      `Remove the endpoint and record corrections as new ${ep.entity} records (an addendum referencing the original), or drop ${ep.entity} from the immutable rule.`);
  }
});

/** Structure rules, in the order the docs list them. */
export const STRUCTURE_RULES: readonly LintRule[] = [
  flowNamesNothing, requirementUnsatisfied, entityUnreachable, orphanEvent, workerWithoutConsumer, tracingDisabledMicroservices,
  writableImmutableEntity,
];
