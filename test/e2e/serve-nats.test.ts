import { randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '../../src/adapters/broker/nats/nats-topology.ts';
import { serviceUrl } from '../support/services.ts';
import { deliveryRows, eventually, outboxRows } from './outbox-rows.ts';
import { serve, type Served } from './serve-harness.ts';

// Linkly on SQLite with NATS_URL set: a visit's link.visited goes outbox -> JetStream -> the
// analytics consumer. The server reaches NATS through a TCP relay this test can cut, as NATS going
// down would: the outbox keeps the events and hands them over once the connection is back.

const nats = await serviceUrl('nats');
const FAST = { pollIntervalMs: 40, backoffBaseMs: 40, backoffMaxMs: 200, maxAttempts: 3 };

/** A TCP relay to `target` on a fixed local port that can be cut (every connection closed, no new ones) and restored. */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const listen = (port = 0) => new Promise<Server>((resolve, reject) => {
    const server = createServer((client) => {
      const upstream = new Socket();
      sockets.add(client).add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(Number(target.port || 4222), target.hostname, () => { client.pipe(upstream).pipe(client); });
    });
    server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server));
  });
  let server: Server | undefined = await listen();
  const port = (server.address() as AddressInfo).port;
  const cut = async () => {
    const closing = new Promise((resolve) => server?.close(resolve));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closing;
    server = undefined;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    cut,
    restore: async () => { server = await listen(port); },
    close: async () => { if (server) await cut(); },
  };
}

describe.skipIf(!nats.url)(`archspec serve: events through NATS JetStream (${nats.reason})`, () => {
  let s: Served;
  let relay: Awaited<ReturnType<typeof cuttableRelay>>;
  let token: string;
  // A system name of its own: its streams are this run's only.
  const system = `Linkly-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    relay = await cuttableRelay(new URL(nats.url!));
    s = await serve('linkly', 'sqlite', { spec: (text) => text.replace(/^  name: Linkly$/m, `  name: ${system}`), events: FAST, env: { NATS_URL: relay.url } });
    ({ token } = await s.account('ann@example.com'));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await relay?.close();
    const nc = await connect({ servers: nats.url! });
    const jsm = await nc.jetstreamManager();
    const names = topology(`archspec.${system}`);
    await Promise.all([names.eventsStream, names.deadStream].map((n) => jsm.streams.delete(n).catch(() => false)));
    await nc.close();
  });

  const visits = async (code: string) => (await s.storage.list('Visit', { limit: 10, filters: [{ field: 'link', op: 'eq', value: code }] })).items;

  it('a visit\'s link.visited reaches the analytics consumer through JetStream (not the database transport)', async () => {
    const link = await s.call('POST', '/links', { token, body: { target: 'https://example.org/nats' } });
    expect((await s.call('GET', `/r/${link.body.code}`)).status).toBe(302);
    await eventually(async () => (await visits(link.body.code)).length === 1);
    const [row] = (await outboxRows(s.storage)).filter((e) => e.payload.link === link.body.code);
    expect(row!.publishedAt).toEqual(expect.any(String));
    expect(await deliveryRows(s.storage)).toEqual([]);
    // Deduplicated by event id in the consumer's transaction, as every transport without a transactional ack.
    const processed = await s.storage.kysely.selectFrom('_archspec_processed').selectAll().execute();
    expect(processed.map((p) => `${p.consumer} ${p.key}`)).toContain(`analytics event:${row!.id}`);
    // The message is on the system's stream, acked by the analytics durable.
    const nc = await connect({ servers: nats.url! });
    const names = topology(`archspec.${system}`);
    const info = await (await nc.jetstreamManager()).consumers.info(names.eventsStream, 'analytics');
    await nc.close();
    expect(info).toMatchObject({ num_pending: 0, num_ack_pending: 0, delivered: { stream_seq: 1 } });
  });

  it('while NATS is unreachable the outbox keeps the events, and they are delivered once it is back', async () => {
    const link = await s.call('POST', '/links', { token, body: { target: 'https://example.org/nats-down' } });
    await relay.cut();
    for (let i = 0; i < 3; i++) expect((await s.call('GET', `/r/${link.body.code}`)).status).toBe(302);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const waiting = (await outboxRows(s.storage)).filter((e) => e.payload.link === link.body.code);
    expect(waiting).toHaveLength(3);
    expect(waiting.every((e) => e.publishedAt === null)).toBe(true);
    expect(await visits(link.body.code)).toEqual([]);
    await relay.restore();
    await eventually(async () => (await visits(link.body.code)).length === 3, 15_000);
    // Nothing lost and nothing twice: still three visits a moment later (a redelivery would add one).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await visits(link.body.code)).toHaveLength(3);
    expect((await outboxRows(s.storage)).filter((e) => e.payload.link === link.body.code).every((e) => e.publishedAt !== null)).toBe(true);
  }, 30_000);
});
