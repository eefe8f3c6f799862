import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it as vitestIt } from 'vitest';
import type { Delivery, EventMessage, EventTransport, Subscription } from '../../src/adapters/broker/event-transport.ts';

/**
 * The conformance suite every event transport engine passes (the database transport now, NATS
 * JetStream in issue 5): durable idempotent publish, fan-out to subscribers, leases (one holder at
 * a time, redelivery after a lapsed lease), ack, retry with a delay, dead letters and redrive.
 */

/** One engine's test setup. */
export interface TransportFixture {
  /** Gives the next test an empty transport backend. */
  reset(): Promise<void>;
  /** A transport on the current backend, as another process would open it (same data, own connection). */
  open(subscriptions: readonly Subscription[], options: { leaseMs: number }): Promise<EventTransport>;
  /** Lets `ms` pass for every transport opened (a fake clock, or a real wait for engines that cannot use one). */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const SUBSCRIPTIONS: Subscription[] = [
  { consumer: 'analytics', event: 'link.visited' },
  { consumer: 'audit', event: 'link.visited' },
  { consumer: 'audit', event: 'link.created' },
];
const LEASE_MS = 30_000;

function message(name = 'link.visited', payload: Record<string, unknown> = { link: 'abc' }): EventMessage {
  return { id: randomUUID(), name, payload, emittedAt: new Date().toISOString(), requestId: 'req-1', traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
}

const ids = (deliveries: Delivery[]) => deliveries.map((d) => d.id).sort();

/**
 * What an engine cannot do at all, by test title -> why (shown in the skipped test's name). Only
 * for cases the engine's broker genuinely cannot express, never to hide a bug.
 */
export interface ConformanceOptions {
  skip?: Record<string, string>;
}

export function eventTransportConformance(name: string, makeFixture: () => Promise<TransportFixture>, options: ConformanceOptions = {}): void {
  describe(`event transport conformance: ${name}`, () => {
    const titles = new Set<string>();
    const it = (title: string, fn: () => Promise<void>) => {
      titles.add(title);
      const why = options.skip?.[title];
      return why ? vitestIt.skip(`${title} [not on ${name}: ${why}]`, fn) : vitestIt(title, fn);
    };
    let fixture: TransportFixture;
    let transport: EventTransport;
    const open = (subscriptions = SUBSCRIPTIONS) => fixture.open(subscriptions, { leaseMs: LEASE_MS });

    beforeAll(async () => { fixture = await makeFixture(); }, 60_000);
    afterAll(async () => fixture?.close());
    beforeEach(async () => {
      await fixture.reset();
      transport = await open();
    });

    it('routes a published event to each subscribed consumer, durably: another process receives it intact', async () => {
      const m = message();
      await transport.publish([m, message('link.unheard-of')]);
      const other = await open();
      const got = await other.receive(10);
      expect(ids(got)).toEqual([`${m.id}:analytics`, `${m.id}:audit`]);
      for (const d of got) {
        expect(d.message).toEqual(m);
        expect(d.attempt).toBe(1);
        expect(d.consumer).toBe(d.id.split(':')[1]);
      }
    });

    it('is idempotent per event id: publishing again (even from two processes at once) delivers nothing twice', async () => {
      const m = message();
      const other = await open();
      await transport.publish([m]);
      await Promise.all([transport.publish([m]), other.publish([m, m])]);
      const got = await transport.receive(10);
      expect(ids(got)).toEqual([`${m.id}:analytics`, `${m.id}:audit`]);
      await Promise.all(got.map((d) => d.ack()));
      await transport.publish([m]);
      await fixture.advance(LEASE_MS + 1);
      expect(await transport.receive(10)).toEqual([]);
    });

    it('hands out only the consumers asked for, oldest first, at most `max`', async () => {
      const first = message();
      await transport.publish([first]);
      await fixture.advance(5);
      const second = message('link.created');
      await transport.publish([second]);
      expect(ids(await transport.receive(10, { consumers: ['analytics'] }))).toEqual([`${first.id}:analytics`]);
      expect(await transport.receive(10, { consumers: [] })).toEqual([]);
      const oldest = await transport.receive(1, { consumers: ['audit'] });
      expect(ids(oldest)).toEqual([`${first.id}:audit`]);
      expect(ids(await transport.receive(5))).toEqual([`${second.id}:audit`]);
    });

    it('delivers at least once: a delivery with no outcome comes back after its lease lapses, one attempt higher', async () => {
      const m = message('link.created');
      await transport.publish([m]);
      const [d] = await transport.receive(10);
      expect(d!.attempt).toBe(1);
      await fixture.advance(LEASE_MS - 1_000);
      expect(await transport.receive(10)).toEqual([]);
      await fixture.advance(1_001);
      const other = await open();
      const [again] = await other.receive(10);
      expect(again).toMatchObject({ id: d!.id, attempt: 2, message: m });
    });

    it('never hands out an acked delivery again', async () => {
      await transport.publish([message('link.created')]);
      const [d] = await transport.receive(10);
      await d!.ack();
      await fixture.advance(LEASE_MS * 2);
      expect(await transport.receive(10)).toEqual([]);
      expect((await transport.list({ status: 'done', limit: 10 })).map((r) => r.id)).toEqual([d!.id]);
    });

    it('retries no sooner than the delay asked for, keeping the last error', async () => {
      await transport.publish([message('link.created')]);
      const [d] = await transport.receive(10);
      await d!.retry('Error: geoip down', 2_000);
      expect(await transport.receive(10)).toEqual([]);
      await fixture.advance(1_000);
      expect(await transport.receive(10)).toEqual([]);
      const [pending] = await transport.list({ status: 'pending', limit: 10 });
      expect(pending).toMatchObject({ id: d!.id, attempts: 1, lastError: 'Error: geoip down' });
      await fixture.advance(1_001);
      const [again] = await transport.receive(10);
      expect(again).toMatchObject({ id: d!.id, attempt: 2 });
    });

    it('parks a dead letter until redrive makes it pending again with its attempts reset', async () => {
      const a = message('link.created');
      const b = message();
      await transport.publish([a, b]);
      const got = await transport.receive(10);
      expect(got).toHaveLength(3);
      for (const d of got) await d.deadLetter(`Error: broken ${d.consumer}`);
      await fixture.advance(LEASE_MS * 2);
      expect(await transport.receive(10)).toEqual([]);
      const dead = await transport.list({ status: 'dead', limit: 10 });
      expect(dead.map((r) => r.id).sort()).toEqual(ids(got));
      expect(dead.find((r) => r.id === `${a.id}:audit`)).toMatchObject({ event: 'link.created', consumer: 'audit', attempts: 1, lastError: 'Error: broken audit', payload: a.payload });
      expect(await transport.stats()).toMatchObject({ pending: 0, dead: 3 });

      expect(await transport.redrive({ id: `${a.id}:audit` })).toBe(1);
      expect(await transport.redrive({ id: `${a.id}:audit` })).toBe(0); // no longer dead
      const [one] = await transport.receive(10);
      expect(one).toMatchObject({ id: `${a.id}:audit`, attempt: 1 });
      await one!.ack();
      expect(await transport.redrive({ consumer: 'analytics' })).toBe(1);
      expect(await transport.redrive({ id: b.id })).toBe(1); // an event id redrives its remaining dead deliveries
      expect(ids(await transport.receive(10))).toEqual([`${b.id}:analytics`, `${b.id}:audit`]);
      expect(await transport.redrive({ all: true })).toBe(0);
      expect((await transport.stats()).dead).toBe(0);
    });

    it('redrives every dead letter with --all', async () => {
      await transport.publish([message(), message('link.created')]);
      for (const d of await transport.receive(10)) await d.deadLetter('Error: x');
      expect(await transport.redrive({ all: true })).toBe(3);
      expect(await transport.receive(10)).toHaveLength(3);
    });

    it('leases each delivery to one receiver at a time, however many receive at once', async () => {
      const messages = Array.from({ length: 30 }, () => message('link.created'));
      await transport.publish(messages);
      const receivers = [transport, await open(), await open()];
      const taken = (await Promise.all(receivers.flatMap((r) => [r.receive(7), r.receive(7), r.receive(7)]))).flat();
      const rest = await transport.receive(100);
      const all = [...taken, ...rest].map((d) => d.id);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(messages.map((m) => `${m.id}:audit`).sort());
    });

    it('ignores the outcome reported by a holder whose lease lapsed and was taken over', async () => {
      await transport.publish([message('link.created')]);
      const [stale] = await transport.receive(10);
      await fixture.advance(LEASE_MS + 1);
      const other = await open();
      const [current] = await other.receive(10);
      await stale!.ack();
      await stale!.deadLetter('Error: stale');
      expect((await other.list({ limit: 10 }))[0]).toMatchObject({ status: 'pending', attempts: 2 });
      await current!.ack();
      expect((await other.list({ limit: 10 }))[0]).toMatchObject({ status: 'done' });
    });

    it('extends a lease while the holder is still working', async () => {
      await transport.publish([message('link.created')]);
      const [d] = await transport.receive(10);
      const other = await open();
      for (let i = 0; i < 3; i++) {
        await fixture.advance(LEASE_MS * 0.6);
        await d!.working();
        expect(await other.receive(10)).toEqual([]);
      }
      await d!.ack();
    });

    it('reports pending and dead counts and the oldest pending event, and prunes old handled deliveries', async () => {
      expect(await transport.stats()).toEqual({ pending: 0, dead: 0 });
      const first = message('link.created');
      await transport.publish([first, message()]);
      const stats = await transport.stats();
      expect(stats).toMatchObject({ pending: 3, dead: 0, oldestPendingEmittedAt: first.emittedAt });
      for (const d of await transport.receive(10)) await d.ack();
      expect(await transport.prune(new Date(Date.now() - 60_000).toISOString())).toBe(0);
      await fixture.advance(1_000);
      expect(await transport.prune(new Date(Date.now() + 3_600_000).toISOString())).toBe(3);
      expect(await transport.list({ limit: 10 })).toEqual([]);
    });
    // A skip naming no test (a title changed) must not silently run nothing.
    const unknown = Object.keys(options.skip ?? {}).filter((t) => !titles.has(t));
    if (unknown.length) throw new Error(`conformance skip names no test: ${unknown.join('; ')}`);
  });
}
