import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventTransport } from '../../src/adapters/broker/event-transport.ts';
import { EventTransportUnavailableError, NatsEventTransport } from '../../src/adapters/broker/nats/nats-event-transport.ts';
import { topology } from '../../src/adapters/broker/nats/nats-topology.ts';
import { serviceUrl } from '../support/services.ts';
import { eventTransportConformance, type TransportFixture } from './event-transport.suite.ts';

// The JetStream transport against the local NATS server. JetStream's clock is the server's, so
// time really passes here; it passes 20 times faster than the suite says: leases and retry delays
// are scaled by SCALE, and `advance(ms)` sleeps ms * SCALE plus a little slack for the server's
// redelivery timer (less than the suite's smallest margin, 1 s * SCALE). Each test gets streams of
// its own (a unique prefix), deleted afterwards.

const SCALE = 0.05;
const SLACK_MS = 15;
const nats = await serviceUrl('nats');

/** The transport with every retry delay scaled like its lease. */
function scaled(t: NatsEventTransport): EventTransport {
  return {
    engine: t.engine,
    publish: (m) => t.publish(m),
    receive: async (max, options) => (await t.receive(max, options)).map((d) => ({ ...d, retry: (error: string, ms: number) => d.retry(error, ms * SCALE) })),
    redrive: (s) => t.redrive(s),
    list: (f) => t.list(f),
    stats: () => t.stats(),
    prune: (b) => t.prune(b),
  };
}

function natsFixture(url: string): () => Promise<TransportFixture> {
  return async () => {
    const admin: NatsConnection = await connect({ servers: url });
    const jsm = await admin.jetstreamManager();
    const run = randomUUID().slice(0, 8);
    let n = 0;
    let prefix = '';
    let opened: NatsEventTransport[] = [];
    const dropStreams = async () => {
      await Promise.all(opened.map((t) => t.close()));
      opened = [];
      if (!prefix) return;
      const names = topology(prefix);
      await Promise.all([names.eventsStream, names.deadStream].map((s) => jsm.streams.delete(s).catch(() => false)));
    };
    return {
      async reset() {
        await dropStreams();
        prefix = `archspec-test.${run}-${++n}`;
      },
      async open(subscriptions, options) {
        const t = await NatsEventTransport.open({ url, prefix, subscriptions, leaseMs: options.leaseMs * SCALE });
        opened.push(t);
        return scaled(t);
      },
      async advance(ms) {
        await new Promise((resolve) => setTimeout(resolve, ms * SCALE + SLACK_MS));
      },
      async close() {
        await dropStreams();
        await admin.close();
      },
    };
  };
}

// What JetStream cannot express (see docs/decisions/0018-nats-transport.md): it keeps no
// per-delivery rows (only dead letters are listable), drops handled messages by its own retention
// (prune has nothing to do), and nats-server 2.9 applies an ack/term from a holder whose ack wait
// lapsed. What these cases check besides that is tested below.
const NOT_ON_JETSTREAM = {
  'never hands out an acked delivery again': 'JetStream keeps no row of an acked delivery to list as done',
  'retries no sooner than the delay asked for, keeping the last error': 'a nak carries no error and pending deliveries are counts, not listable rows',
  'ignores the outcome reported by a holder whose lease lapsed and was taken over': 'the server applies an ack or term from any holder of the message, stale or not',
  'reports pending and dead counts and the oldest pending event, and prunes old handled deliveries': 'the stream drops handled messages by max_age itself; prune has nothing to count',
};

describe.skipIf(!nats.url)(`NATS JetStream transport (${nats.reason})`, () => {
  eventTransportConformance(`nats (${nats.reason})`, natsFixture(nats.url!), { skip: NOT_ON_JETSTREAM });
  describe('nats event transport', () => {
    const url = nats.url!;
    let fixture: TransportFixture;
    const subscriptions = [{ consumer: 'audit', event: 'link.created' }];
    const open = () => fixture.open(subscriptions, { leaseMs: 30_000 });
    const message = () => ({ id: randomUUID(), name: 'link.created', payload: { n: 1 }, emittedAt: new Date().toISOString() });
    beforeAll(async () => { fixture = await natsFixture(url)(); });
    afterAll(async () => fixture?.close());
    beforeEach(async () => fixture.reset());

    it('acks for good, retries no sooner than the delay, and counts what is pending and the oldest of it', async () => {
      const transport = await open();
      const [first, second] = [message(), message()];
      await transport.publish([first]);
      await fixture.advance(5);
      await transport.publish([second]);
      expect(await transport.stats()).toEqual({ pending: 2, dead: 0, oldestPendingEmittedAt: first.emittedAt });
      const [a, b] = await transport.receive(10);
      await a!.ack();
      await b!.retry('Error: geoip down', 2_000);
      expect(await transport.stats()).toEqual({ pending: 1, dead: 0, oldestPendingEmittedAt: second.emittedAt });
      await fixture.advance(1_000);
      expect(await transport.receive(10)).toEqual([]);
      await fixture.advance(1_001);
      const [again] = await transport.receive(10);
      expect(again).toMatchObject({ id: b!.id, attempt: 2 });
      await again!.ack();
      await fixture.advance(60_000);
      expect(await transport.receive(10)).toEqual([]);
      expect(await transport.stats()).toEqual({ pending: 0, dead: 0 });
      expect(await transport.prune(new Date().toISOString())).toBe(0);
    });

    it('says clearly what it cannot list', async () => {
      const transport = await open();
      await expect(transport.list({ status: 'pending', limit: 10 })).rejects.toThrow(/cannot list pending deliveries/);
      await expect(transport.list({ status: 'done', limit: 10 })).rejects.toThrow(/cannot list done deliveries/);
      expect(await transport.list({ limit: 10 })).toEqual([]);
    });

    it('fails to open with one clear line when NATS does not answer', async () => {
      const error = await NatsEventTransport.open({ url: 'nats://user:secret@127.0.0.1:1', prefix: 'archspec-test.none', subscriptions, connectTimeoutMs: 500 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventTransportUnavailableError);
      expect((error as Error).message).toBe('cannot connect to NATS at nats://127.0.0.1:1 (NATS_URL): CONNECTION_REFUSED');
    });
  });
});
