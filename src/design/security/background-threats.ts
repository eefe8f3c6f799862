import type { Threat } from '../design-report.ts';
import type { Component, SystemModel } from '../../model/system-model.ts';
import { listText, specDuration } from './compliance/evidence.ts';

/**
 * STRIDE threats to the events a component consumes: forged or poisoned messages, at-least-once
 * redelivery counted twice, a poison message blocking the consumer, untraceable processing, and
 * personal data carried in payloads (only when a payload key matches a pii or sensitive field).
 */
export function eventThreats(component: Component, model: SystemModel): Threat[] {
  const events = model.events.filter((e) => component.consumes.includes(e.name));
  if (events.length === 0) return [];
  const names = listText(events.map((e) => e.name));
  const queue = model.architecture.storage.queue?.engine ?? 'local';
  const owned = component.owns.length ? `writes bad ${listText(component.owns)} records` : 'acts on data nobody sent';
  const producers = [...new Set(events.flatMap((e) => (e.producer ? [e.producer] : [])))];
  const untyped = events.filter((e) => Object.keys(e.payload).length === 0).map((e) => e.name);
  const recovery = model.resilience.recovery;
  const out: Threat[] = [
    {
      category: 'Spoofing',
      threat: `a forged ${names} published to the ${queue} queue: ${component.name} ${owned}`,
      mitigation: queue === 'local'
        ? 'local queue: events are written to the outbox in the producer\'s transaction, never accepted from outside'
        : `restrict publishing on ${queue} to ${producers.length ? listText(producers) : 'the producers'} (broker accounts, outside archspec)`,
      mitigated: queue === 'local',
    },
    {
      category: 'Tampering',
      threat: `a malformed or poisoned ${names} payload reaches ${handlerText(component, events.map((e) => e.name))}`,
      mitigation: untyped.length
        ? `declare a payload for ${listText(untyped)} so it is validated before the handler runs`
        : `payload validated against ${events.map((e) => `${e.name} { ${Object.entries(e.payload).map(([k, t]) => `${k}: ${t}`).join(', ')} }`).join('; ')}`,
      mitigated: untyped.length === 0,
    },
    {
      category: 'Tampering',
      threat: `a redelivered or replayed ${names} (at-least-once delivery) is processed twice by ${component.name}`,
      mitigation: recovery.includes('idempotent-replay') ? 'idempotent-replay in resilience.recovery (deduplicated by event id)' : 'add idempotent-replay to resilience.recovery, or replay to security.protections',
      mitigated: recovery.includes('idempotent-replay') || model.security.protections.includes('replay'),
    },
    {
      category: 'Denial of service',
      threat: `one ${names} that always fails is redelivered forever and stalls ${component.name}`,
      mitigation: recovery.includes('dead-letter') ? 'dead-letter in resilience.recovery' : 'add dead-letter to resilience.recovery',
      mitigated: recovery.includes('dead-letter'),
    },
    {
      category: 'Repudiation',
      threat: `work ${component.name} does for ${names} cannot be tied to the request that emitted it`,
      mitigation: model.observability.tracing.tool === 'none' ? 'set observability.tracing.tool: opentelemetry (trace context travels in the event)' : `${model.observability.tracing.tool} trace context carried in each event`,
      mitigated: model.observability.tracing.tool !== 'none',
    },
  ];
  const personalNames = new Set(model.entities.flatMap((e) => e.fields.filter((f) => f.pii || f.sensitive).map((f) => f.name)));
  const carried = events.flatMap((e) => Object.keys(e.payload).filter((k) => personalNames.has(k)).map((k) => `${e.name}.${k}`));
  if (carried.length) {
    out.push({
      category: 'Information disclosure',
      threat: `${listText(carried)} carry personal data into the ${queue} queue, outside the encrypted tables`,
      mitigation: 'send ids in events and let consumers read personal fields from the owner',
      mitigated: false,
    });
  }
  return out;
}

/**
 * STRIDE threats to the scheduled jobs a component runs: runs that overrun into the next one,
 * silent failures, and runs nobody can account for.
 */
export function jobThreats(component: Component, model: SystemModel): Threat[] {
  const jobs = model.jobs.filter((j) => j.component === component.name);
  if (jobs.length === 0) return [];
  const untimed = jobs.filter((j) => j.timeoutMs === undefined).map((j) => j.name);
  const unretried = jobs.filter((j) => j.retries === 0).map((j) => j.name);
  const counted = model.observability.metrics.includes('job-runs');
  const names = listText(jobs.map((j) => j.name));
  return [
    {
      category: 'Denial of service',
      threat: `${untimed.length ? listText(untimed) : names} ${untimed.length ? 'has no timeout and can' : 'can'} run into its next schedule and pile up`,
      mitigation: untimed.length ? `set a timeout on ${listText(untimed)}` : jobs.map((j) => `${j.name} timeout ${specDuration(j.timeoutMs!)}`).join(', '),
      mitigated: untimed.length === 0,
    },
    {
      category: 'Tampering',
      threat: `a failed run of ${names} leaves data half-processed (${jobs.map((j) => j.does).join('; ')})`,
      mitigation: unretried.length ? `set retry on ${listText(unretried)}` : jobs.map((j) => `${j.name} retry ${j.retries}`).join(', '),
      mitigated: unretried.length === 0,
    },
    {
      category: 'Repudiation',
      threat: `nobody can tell whether ${names} ran, or what it changed`,
      mitigation: counted ? 'job-runs in observability.metrics' : 'add job-runs to observability.metrics',
      mitigated: counted,
    },
  ];
}

function handlerText(component: Component, events: string[]): string {
  const files = events.map((e) => component.handlers[e]).filter((h): h is string => h !== undefined);
  return files.length ? `${listText(files)} in ${component.name}` : component.name;
}
