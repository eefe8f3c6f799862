import { STORAGE_TARGETS, type RuleContext } from './rule-context.ts';
import { cronProblem, isTimeZone } from '../../internal/cron.ts';

/** Components, storage, flows, events and jobs reference what exists; style rules hold. */
export function checkArchitecture(ctx: RuleContext): void {
  const arch = ctx.spec.architecture;
  if (arch) {
    for (const [name, c] of Object.entries(arch.components)) {
      c.owns?.forEach((e, i) => ctx.expect(ctx.entities, e, 'owns_unknown_entity', 'entity', ['architecture', 'components', name, 'owns', i]));
      c.consumes?.forEach((ev, i) => ctx.expect(ctx.events, ev, 'consumer_unknown_event', 'event', ['architecture', 'components', name, 'consumes', i]));
      Object.keys(c.handlers ?? {}).forEach((ev) => ctx.expect(ctx.events, ev, 'consumer_unknown_event', 'event', ['architecture', 'components', name, 'handlers', ev], { key: true }));
      if (ctx.integrations?.has(name) || (STORAGE_TARGETS as readonly string[]).includes(name)) {
        ctx.report('name_clash', `component "${name}" has the same name as ${ctx.integrations?.has(name) ? 'an integration' : 'a storage role'}`, ['architecture', 'components', name], { key: true });
      }
    }
    arch.storage.primary.holds.forEach((e, i) => ctx.expect(ctx.entities, e, 'holds_unknown_entity', 'entity', ['architecture', 'storage', 'primary', 'holds', i]));
    if (ctx.entities) {
      const held = new Set(arch.storage.primary.holds);
      for (const e of ctx.entities) {
        if (!held.has(e)) ctx.report('entity_not_stored', `entity "${e}" is not held by any database`, ['data', e], { key: true });
      }
    }
    if (arch.style === 'microservices' && ctx.entities) checkSingleOwner(ctx, ctx.entities);
  }
  checkFlows(ctx);
  checkEventsAndJobs(ctx);
}

function checkSingleOwner(ctx: RuleContext, entities: Set<string>): void {
  const components = ctx.spec.architecture!.components;
  for (const entity of entities) {
    const owners = Object.entries(components).filter(([, c]) => c.kind === 'service' && c.owns?.includes(entity)).map(([n]) => n);
    if (owners.length !== 1) {
      const message = owners.length
        ? `in microservices, entity "${entity}" is owned by ${owners.length} services (${owners.join(', ')}); a service owns its data alone`
        : `in microservices, entity "${entity}" has no owning service`;
      ctx.report('microservices_entity_owner', message, ['data', entity], { key: true });
    }
  }
}

function checkFlows(ctx: RuleContext): void {
  if (!ctx.spec.flows) return;
  const canResolve = ctx.components && ctx.integrations;
  const targets = canResolve ? new Set([...ctx.components!, ...ctx.integrations!, ...STORAGE_TARGETS]) : undefined;
  for (const [name, flow] of Object.entries(ctx.spec.flows)) {
    const base = ['flows', name];
    flow.steps.forEach((step, i) => {
      const target = typeof step === 'string' ? step : step.to;
      const path = typeof step === 'string' ? [...base, 'steps', i] : [...base, 'steps', i, 'to'];
      ctx.expect(targets, target, 'flow_unknown_step', 'step target', path);
      if (target === 'cache' && ctx.spec.architecture && !ctx.spec.architecture.storage.cache) {
        ctx.report('flow_unknown_step', `flow "${name}" uses the cache but architecture.storage has no cache`, path, { hint: 'Add architecture.storage.cache: { engine: memory }.' });
      }
      if (target === 'queue' && ctx.spec.architecture && !ctx.spec.architecture.storage.queue) {
        ctx.report('flow_unknown_step', `flow "${name}" uses the queue but architecture.storage has no queue`, path, { hint: 'Add architecture.storage.queue: { engine: local }.' });
      }
    });
    if (flow.operation) ctx.expect(ctx.operations, flow.operation, 'flow_unknown_operation', 'operation type', [...base, 'operation']);
    if (flow.endpoint) ctx.expect(ctx.endpoints, flow.endpoint, 'flow_unknown_endpoint', 'endpoint', [...base, 'endpoint']);
    flow.emits?.forEach((ev, i) => ctx.expect(ctx.events, ev, 'emits_unknown_event', 'event', [...base, 'emits', i]));
  }
}

function checkEventsAndJobs(ctx: RuleContext): void {
  for (const [name, ev] of Object.entries(ctx.spec.events ?? {})) {
    if (ev.producer) ctx.expect(ctx.components, ev.producer, 'event_unknown_producer', 'component', ['events', name, 'producer']);
  }
  for (const [name, job] of Object.entries(ctx.spec.jobs ?? {})) {
    const problem = cronProblem(job.schedule);
    if (problem) ctx.report('job_schedule_invalid', `schedule "${job.schedule}": ${problem}`, ['jobs', name, 'schedule']);
    if (job.timezone && !isTimeZone(job.timezone)) ctx.report('job_timezone_invalid', `"${job.timezone}" is not a known time zone`, ['jobs', name, 'timezone']);
    if (job.component) ctx.expect(ctx.components, job.component, 'job_unknown_component', 'component', ['jobs', name, 'component']);
  }
}
