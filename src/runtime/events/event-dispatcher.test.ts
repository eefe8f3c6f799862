import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery, EventTransport } from '../../adapters/broker/event-transport.ts';
import { LocalEventTransport } from '../../adapters/broker/local/local-event-transport.ts';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
import type { SystemModel } from '../../model/system-model.ts';
import type { EventHandler, HandlerCache } from '../handlers/handler-context.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import { currentActor } from '../request-context.ts';
import type { EventConsumer } from './event-consumers.ts';
import { backoffDelay, EventDispatcher, type DeliveryOutcome } from './event-dispatcher.ts';
import { Outbox } from './outbox.ts';
import { OutboxRelay } from './outbox-relay.ts';

// The dispatcher on the real database transport (SQLite), with a fake clock for leases and
// backoffs and consumers written inline: what runs, in which transaction, and what happens when a
// consumer fails, keeps failing, or the process dies between its commit and its ack.

const LEASE_MS = 30_000;
// Linkly without field encryption: these tests write Users and Links directly.
const model: SystemModel = editedSpecModel('examples/linkly/archspec.yaml', (s) => {
  s.requirements.data = s.requirements.data.filter((r: { rule: string }) => r.rule !== 'encrypted-at-rest');
}, 'linkly');

describe('event dispatcher', () => {
  let storage: Storage;
  let offset: number;
  let transport: LocalEventTransport;
  let outbox: Outbox;
  let commits: number;
  let logs: { level: number; msg: string; reason?: string }[];
  let outcomes: [string, DeliveryOutcome][];
  let link: string;

  const services = (): WorkServices => ({
    model, storage, cache: {} as HandlerCache, integrations: {}, tracer: trace.getTracer('test'),
    emitter: outbox.emitter, afterCommit: () => { commits++; },
  });
  const log = () => pino({ level: 'debug' }, new Writable({ write(chunk, _enc, done) { logs.push(JSON.parse(String(chunk))); done(); } })) as unknown as FastifyBaseLogger;
  const dispatcher = (handler: EventHandler, options: { maxAttempts?: number; on?: EventTransport } = {}) => {
    const consumers: EventConsumer[] = [{ consumer: 'analytics', event: 'link.visited', file: 'inline', handler }];
    return new EventDispatcher(options.on ?? transport, consumers, services(), log(), {
      maxAttempts: options.maxAttempts ?? 3, backoffBaseMs: 1_000, backoffMaxMs: 60_000, concurrency: 4, leaseMs: LEASE_MS,
    }, (consumer, outcome) => outcomes.push([consumer, outcome]));
  };
  /** Emits link.visited through the outbox in a transaction and relays it to the transport. */
  const emitVisit = async () => {
    await storage.transaction((tx) => outbox.emitter(tx, { requestId: 'req-7' })('link.visited', { link, at: new Date().toISOString(), ip: '192.0.2.1' }));
    await new OutboxRelay(storage.kysely, transport).publishBatch();
  };
  const round = async (d: EventDispatcher) => {
    await d.dispatchDue();
    await d.drain(5_000);
  };
  const visits = async () => (await storage.list('Visit', { limit: 100 })).items;
  const deliveries = () => transport.list({ limit: 10 });

  beforeEach(async () => {
    storage = await createStorage(model, { engine: 'sqlite', url: ':memory:' });
    await storage.migrate();
    offset = 0;
    commits = 0;
    logs = [];
    outcomes = [];
    transport = new LocalEventTransport({
      db: storage.kysely, dialect: 'sqlite', subscriptions: [{ consumer: 'analytics', event: 'link.visited' }], leaseMs: LEASE_MS, now: () => new Date(Date.now() + offset),
    });
    outbox = new Outbox(model);
    const user = await storage.insert('User', { email: 'a@example.com' });
    link = String((await storage.insert('Link', { target: 'https://example.org', owner: user.id })).code);
  });
  afterEach(async () => storage.close());

  it('runs the consumer once as consumer:<component>/<event>, in one transaction with its own emits, then acks', async () => {
    const seen: unknown[] = [];
    await emitVisit();
    await round(dispatcher(async (event, ctx) => {
      seen.push({ event, meta: ctx.event, actor: currentActor() });
      await ctx.db.create('Visit', { link: event.link, at: event.at });
      await ctx.emit('link.visited', { link: event.link, at: event.at, ip: 'again' });
    }));
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'done', attempts: 1 });
    expect(seen).toEqual([{
      event: { link, at: expect.any(String), ip: '192.0.2.1' },
      meta: { id: delivery!.eventId, name: 'link.visited', attempt: 1, emittedAt: expect.any(String) },
      actor: 'consumer:analytics/link.visited',
    }]);
    expect(await visits()).toHaveLength(1);
    // The consumer's own event is in the outbox, correlated with the event that caused it, and the relay was woken.
    const rows = await storage.kysely.selectFrom('_archspec_outbox').selectAll().where('publishedAt', 'is', null).execute();
    expect(rows).toMatchObject([{ event: 'link.visited', requestId: delivery!.eventId }]);
    expect(commits).toBe(1);
    expect(outcomes).toEqual([['analytics', 'delivered']]);
  });

  it('runs nothing twice when the process dies between the consumer\'s commit and the ack (a transport acking on its own, like NATS)', async () => {
    await emitVisit();
    let calls = 0;
    const handler: EventHandler = async (event, ctx) => {
      calls++;
      await ctx.db.create('Visit', { link: event.link, at: event.at });
    };
    // A transport whose acks live outside the application's database: no ackWith.
    const separate = (ack?: () => Promise<void>): EventTransport => Object.create(transport, {
      receive: { value: async (max: number, options?: { consumers?: readonly string[] }) => (await transport.receive(max, options)).map((d): Delivery => ({ ...d, ackWith: undefined, ...(ack ? { ack } : {}) })) },
    });
    // The first ack never reaches the transport, as if the process had been killed right after the commit.
    await round(dispatcher(handler, { on: separate(async () => { throw new Error('killed'); }) }));
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', attempts: 1 });
    offset += LEASE_MS + 1;
    await round(dispatcher(handler, { on: separate() }));
    expect(calls).toBe(1);
    expect(await visits()).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect(logs.some((l) => l.msg.includes('already handled'))).toBe(true);
  });

  it('acks inside the consumer\'s transaction on the local transport, and rolls the effects back when the lease was lost', async () => {
    await emitVisit();
    const handler: EventHandler = async (event, ctx) => {
      await ctx.db.create('Visit', { link: event.link, at: event.at });
    };
    // Another process claimed the delivery (its lease had lapsed) while this consumer ran: a new lease token.
    const stolen: EventTransport = Object.create(transport, {
      receive: { value: async (max: number, options?: { consumers?: readonly string[] }) => (await transport.receive(max, options)).map((d): Delivery => ({
        ...d,
        ackWith: async (db) => {
          await db.updateTable('_archspec_deliveries').set({ leaseToken: 'another-process' }).where('id', '=', d.id).execute();
          await d.ackWith!(db);
        },
      })) },
    });
    await round(dispatcher(handler, { on: stolen }));
    expect(await visits()).toHaveLength(0);
    expect(logs.some((l) => l.msg.includes('taken over by another process'))).toBe(true);
    expect((await deliveries())[0]).toMatchObject({ status: 'pending' });
    offset += LEASE_MS + 1; // its lease lapses (this process did not settle it); the next claim runs it
    await round(dispatcher(handler));
    expect(await visits()).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: 'done' });
  });

  it('retries a failing consumer after a backoff, with its writes and dedupe keys rolled back', async () => {
    await emitVisit();
    const firstSeen: boolean[] = [];
    const d = dispatcher(async (event, ctx) => {
      firstSeen.push(await ctx.dedupe(`visit:${event.link}`));
      await ctx.db.create('Visit', { link: event.link, at: event.at });
      if (ctx.event.attempt < 3) throw new Error(`geoip down (attempt ${ctx.event.attempt})`);
    });
    await round(d);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: geoip down (attempt 1)' });
    const wait = Date.parse(failed!.nextAttemptAt) - (Date.now() + offset);
    expect(wait).toBeGreaterThan(400);
    expect(wait).toBeLessThanOrEqual(1_000);
    await round(d);
    expect(firstSeen).toHaveLength(1); // not due yet
    offset += 1_001;
    await round(d);
    offset += 2_001;
    await round(d);
    expect(firstSeen).toEqual([true, true, true]);
    expect(await visits()).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: 'done', attempts: 3 });
    expect(outcomes.map(([, o]) => o)).toEqual(['retried', 'retried', 'delivered']);
  });

  it('parks a delivery as a dead letter after the last attempt, logged at error, and redrive brings it back', async () => {
    await emitVisit();
    let broken = true;
    const d = dispatcher(async () => { if (broken) throw new Error('bug in consumer'); }, { maxAttempts: 2 });
    await round(d);
    offset += 60_000;
    await round(d);
    expect((await deliveries())[0]).toMatchObject({ status: 'dead', attempts: 2, lastError: 'Error: bug in consumer' });
    expect(logs.find((l) => l.level === 50)?.msg).toMatch(/dead-lettered after 2 attempt/);
    offset += 600_000;
    await round(d);
    expect((await deliveries())[0]!.status).toBe('dead');
    broken = false;
    expect(await transport.redrive({ consumer: 'analytics' })).toBe(1);
    await round(d);
    expect((await deliveries())[0]).toMatchObject({ status: 'done', attempts: 1 });
    expect(outcomes.map(([, o]) => o)).toEqual(['retried', 'dead', 'delivered']);
  });

  it('dead-letters without running a delivery whose attempts all died mid-way (a consumer that crashes the process)', async () => {
    await emitVisit();
    for (let i = 0; i < 3; i++) {
      await transport.receive(10); // taken, never settled: the process died
      offset += LEASE_MS + 1;
    }
    let calls = 0;
    await round(dispatcher(async () => { calls++; }));
    expect(calls).toBe(0);
    expect((await deliveries())[0]).toMatchObject({ status: 'dead', attempts: 4, lastError: expect.stringContaining('3 attempts never finished') });
  });

  it('backs off exponentially with jitter in the upper half, capped', () => {
    expect(backoffDelay(1, 1_000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1_000, 60_000, () => 1)).toBe(1_000);
    expect(backoffDelay(4, 1_000, 60_000, () => 1)).toBe(8_000);
    expect(backoffDelay(20, 1_000, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(20, 1_000, 60_000, () => 1)).toBe(60_000);
  });

  it('refuses undeclared events and payloads missing declared keys; a rolled-back transaction leaves no row', async () => {
    const emit = (name: string, payload: Record<string, unknown>) => storage.transaction((tx) => outbox.emitter(tx, {})(name, payload));
    await expect(emit('link.clicked', {})).rejects.toThrow(/"link.clicked" is not declared in the spec's events \(link.visited\)/);
    await expect(emit('link.visited', { link })).rejects.toThrow(/lacks at, ip \(the spec declares payload: \{ link: string, at: timestamp, ip: string \}\)/);
    await expect(storage.transaction(async (tx) => {
      await outbox.emitter(tx, {})('link.visited', { link, at: 'now', ip: '::1' });
      throw new Error('handler failed after emitting');
    })).rejects.toThrow('handler failed');
    expect(await storage.kysely.selectFrom('_archspec_outbox').selectAll().execute()).toEqual([]);
  });
});
