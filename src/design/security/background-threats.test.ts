import { describe, it, expect } from 'vitest';
import { eventThreats, jobThreats } from './background-threats.ts';
import { linklyModel, type SpecObject } from '../test-support/linkly-fixture.ts';

const analytics = (edit?: (s: SpecObject) => void) => {
  const model = linklyModel(edit);
  const c = model.architecture.components.find((x) => x.name === 'analytics')!;
  return { events: eventThreats(c, model), jobs: jobThreats(c, model) };
};
const find = (threats: ReturnType<typeof eventThreats>, text: string) => {
  const t = threats.find((x) => x.threat.includes(text));
  if (!t) throw new Error(`no threat mentioning "${text}"`);
  return t;
};

describe('eventThreats', () => {
  const { events } = analytics();

  it('leaves forged events open on nats, where publishing rights live outside the spec', () => {
    expect(find(events, 'forged link.visited')).toMatchObject({
      category: 'Spoofing',
      threat: 'a forged link.visited published to the nats queue: analytics writes bad Visit records',
      mitigated: false,
    });
  });

  it('validates poisoned payloads against the declared payload, naming the handler', () => {
    expect(find(events, 'poisoned')).toMatchObject({
      threat: 'a malformed or poisoned link.visited payload reaches ./handlers/record-visit.ts in analytics',
      mitigation: 'payload validated against link.visited { link: string, at: timestamp, country: string }',
      mitigated: true,
    });
  });

  it('mitigates redelivery with idempotent-replay and poison messages with dead-letter', () => {
    expect(find(events, 'processed twice').mitigated).toBe(false);
    expect(find(events, 'redelivered forever').mitigated).toBe(true);
    const fixed = analytics((s) => { s.resilience.recovery.push('idempotent-replay'); }).events;
    expect(find(fixed, 'processed twice').mitigated).toBe(true);
  });

  it('trusts the local queue, whose events only come from the outbox', () => {
    const local = analytics((s) => { s.architecture.storage.queue.engine = 'local'; }).events;
    expect(find(local, 'forged').mitigated).toBe(true);
  });

  it('warns about personal data carried in a payload', () => {
    const leaky = analytics((s) => { s.events['link.visited'].payload.email = 'string'; }).events;
    expect(find(leaky, 'link.visited.email')).toMatchObject({ category: 'Information disclosure', mitigated: false });
  });
});

describe('jobThreats', () => {
  it('credits the timeout and retries of purge-visits and asks for job-runs', () => {
    const { jobs } = analytics();
    expect(jobs.map((j) => [j.category, j.mitigated])).toEqual([['Denial of service', true], ['Tampering', true], ['Repudiation', false]]);
    expect(jobs[0]?.mitigation).toBe('purge-visits timeout 10m');
  });

  it('names a job without a timeout', () => {
    const { jobs } = analytics((s) => { delete s.jobs['purge-visits'].timeout; });
    expect(jobs[0]).toMatchObject({ threat: 'purge-visits has no timeout and can run into its next schedule and pile up', mitigated: false });
  });
});
