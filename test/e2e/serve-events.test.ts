import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import { eventsListCommand, eventsRedriveCommand } from '../../src/cli/events-command.ts';
import { exampleModel } from '../../src/runtime/test-support/example-models.ts';
import { bannerPort, BIN, captureStdout, runCli } from '../support/cli-process.ts';
import { deliveryRows, eventually, outboxRows } from './outbox-rows.ts';
import { ENGINES, serve, WEBHOOK_SECRET, type Served } from './serve-harness.ts';

// Events over real HTTP: handlers emit into the transactional outbox, the relay publishes to the
// database transport, the dispatcher runs the spec's consumers (the examples' own, and test
// consumers added by a spec rewrite) with retries, dead letters, redrive and dedupe; and a server
// killed between the commit and the delivery delivers exactly once after a restart.

const FAST = { pollIntervalMs: 40, backoffBaseMs: 40, backoffMaxMs: 200, maxAttempts: 3 };

/** Test consumers and an emitting endpoint, written into `dir`; each call is appended to `calls.log`. */
function writeProbeModules(dir: string): void {
  const log = JSON.stringify(join(dir, 'calls.log'));
  const record = (name: string) => `appendFileSync(${log}, JSON.stringify({ consumer: '${name}', key: event.key, attempt: ctx.event.attempt, outcome }) + '\\n');`;
  writeFileSync(join(dir, 'emit.ts'), `export default async function emit(ctx: any) {
  await ctx.emit(ctx.body.event, ctx.body.payload);
  if (ctx.body.fail) throw new Error('the handler failed after emitting');
  return { emitted: ctx.body.event };
}\n`);
  writeFileSync(join(dir, 'flaky.ts'), `import { appendFileSync } from 'node:fs';
export default async function flaky(event: any, ctx: any) {
  const outcome = ctx.event.attempt < 3 ? 'failed' : 'ok';
  ${record('flaky')}
  if (outcome === 'failed') throw new Error('flaky failure ' + ctx.event.attempt);
}\n`);
  writeFileSync(join(dir, 'broken.ts'), `import { appendFileSync, existsSync } from 'node:fs';
export default async function broken(event: any, ctx: any) {
  const outcome = existsSync(${JSON.stringify(join(dir, 'broken-switch'))}) ? 'failed' : 'ok';
  ${record('broken')}
  if (outcome === 'failed') throw new Error('broken until the switch file is removed');
}\n`);
  writeFileSync(join(dir, 'once.ts'), `import { appendFileSync } from 'node:fs';
export default async function once(event: any, ctx: any) {
  const outcome = (await ctx.dedupe('order:' + event.key)) ? 'first' : 'duplicate';
  ${record('once')}
}\n`);
}

/** Linkly plus three probe events, a `probe` component consuming them, and `POST /probe` emitting any of them. */
function probeSpec(dir: string): (text: string) => string {
  return (text) => {
    const spec = parse(text);
    for (const name of ['flaky', 'broken', 'once']) spec.events[`probe.${name}`] = { description: `test event ${name}`, producer: 'links', payload: { key: 'string' } };
    spec.architecture.components.probe = {
      kind: 'worker', purpose: 'consumers under test', consumes: ['probe.flaky', 'probe.broken', 'probe.once'],
      handlers: { 'probe.flaky': join(dir, 'flaky.ts'), 'probe.broken': join(dir, 'broken.ts'), 'probe.once': join(dir, 'once.ts') },
    };
    // Generated writes may emit too: the written record (a deleted one as it was) becomes the payload.
    spec.events['link.created'] = { description: 'a link was created', producer: 'links', payload: { code: 'string', target: 'url', owner: 'uuid' } };
    spec.events['link.deleted'] = { description: 'a link was deleted', producer: 'links', payload: { code: 'string' } };
    spec.api.endpoints['POST /links'].emits = ['link.created'];
    spec.api.endpoints['DELETE /links/{code}'].emits = ['link.deleted'];
    spec.api.endpoints['POST /probe'] = { handler: join(dir, 'emit.ts'), public: true, summary: 'emit a probe event', emits: ['probe.flaky', 'probe.broken', 'probe.once'] };
    return stringify(spec);
  };
}

function calls(dir: string): { consumer: string; key: string; attempt: number; outcome: string }[] {
  const file = join(dir, 'calls.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

describe.each(ENGINES)('archspec serve: events on %s', (engine) => {
  describe('linkly with probe consumers', () => {
    let s: Served;
    let dir: string;
    let specFile: string;
    let token: string;
    let ann: string;
    const probe = (event: string, key: string, fail = false) => s.call('POST', '/probe', { body: { event, payload: { key }, fail } });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'archspec-events-'));
      writeProbeModules(dir);
      // The same rewritten spec for the CLI (`archspec events` reads the spec, then the database).
      cpSync('examples/linkly', join(dir, 'spec'), { recursive: true, filter: (source) => !source.endsWith('.data') });
      specFile = join(dir, 'spec', 'archspec.yaml');
      writeFileSync(specFile, probeSpec(dir)(readFileSync(specFile, 'utf8')));
      s = await serve('linkly', engine, { spec: probeSpec(dir), events: FAST });
      ({ id: ann, token } = await s.account('ann@example.com'));
    }, 60_000);
    afterAll(async () => {
      await s?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('GET /r/{code} emits link.visited in its transaction; the analytics consumer stores the Visit (no GEOIP_URL: no country)', async () => {
      const link = await s.call('POST', '/links', { token, body: { target: 'https://example.org/events' } });
      expect(link.status).toBe(201);
      const r = await s.call('GET', `/r/${link.body.code}`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
      expect(r.status).toBe(302);
      const [row] = (await outboxRows(s.storage)).filter((e) => e.payload.link === link.body.code);
      expect(row).toMatchObject({ name: 'link.visited', payload: { link: link.body.code, at: expect.any(String), ip: '127.0.0.1' }, requestId: r.headers.get('x-request-id') });
      expect(row!.traceParent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-0[01]$/);
      const visits = await eventually(async () => {
        const page = await s.storage.list('Visit', { limit: 10, filters: [{ field: 'link', op: 'eq', value: link.body.code }] });
        return page.items.length ? page.items : false;
      });
      expect(visits).toEqual([expect.objectContaining({ link: link.body.code, at: row!.payload.at, country: null })]);
      // The ack follows the consumer's commit.
      await eventually(async () => (await deliveryRows(s.storage)).find((d) => d.eventId === row!.id)?.status === 'done');
      expect((await deliveryRows(s.storage)).filter((d) => d.eventId === row!.id)).toEqual([expect.objectContaining({ consumer: 'analytics', status: 'done', attempts: 1 })]);
      expect((await outboxRows(s.storage)).find((e) => e.id === row!.id)?.publishedAt).toEqual(expect.any(String));
    });

    it('emits from generated writes that declare it, in their transaction, with the written record', async () => {
      const created = await s.call('POST', '/links', { token, body: { target: 'https://example.org/crud', title: 'not in the payload' } });
      expect(created.status).toBe(201);
      const code = created.body.code;
      expect((await outboxRows(s.storage)).filter((e) => e.name === 'link.created' && e.payload.code === code).map((e) => e.payload))
        .toEqual([{ code, target: 'https://example.org/crud', owner: ann }]);
      const before = (await outboxRows(s.storage)).length;
      expect((await s.call('POST', '/links', { token, body: { target: 'not a url' } })).status).toBe(422);
      expect((await s.call('DELETE', `/links/${code}`, { token, headers: { 'if-match': 'W/"9"' } })).status).toBe(412);
      expect((await outboxRows(s.storage)).length).toBe(before);
      expect((await s.call('DELETE', `/links/${code}`, { token })).status).toBe(204);
      expect((await outboxRows(s.storage)).filter((e) => e.name === 'link.deleted').map((e) => e.payload)).toEqual([{ code }]);
    });

    it('writes nothing to the outbox when the request fails after emitting, or emits an undeclared event', async () => {
      const failed = await probe('probe.flaky', 'rolled-back', true);
      expect(failed.status).toBe(500);
      const undeclared = await probe('probe.unknown', 'nope');
      expect(undeclared.status).toBe(500);
      const ok = await s.call('POST', '/probe', { body: { event: 'probe.once', payload: {} } });
      expect(ok.status).toBe(500); // the payload lacks the declared `key`
      expect((await outboxRows(s.storage)).filter((e) => e.payload.key === 'rolled-back' || e.name === 'probe.unknown' || (e.name === 'probe.once' && !e.payload.key))).toEqual([]);
    });

    it('retries a consumer that fails twice with backoff, then delivers', async () => {
      expect((await probe('probe.flaky', 'f1')).status).toBe(200);
      await eventually(() => calls(dir).some((c) => c.key === 'f1' && c.outcome === 'ok'));
      expect(calls(dir).filter((c) => c.key === 'f1').map((c) => [c.attempt, c.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'ok']]);
      await eventually(async () => (await deliveryRows(s.storage)).some((d) => d.consumer === 'probe' && d.event === 'probe.flaky' && d.status === 'done'));
      // The last error stays on the delivered row: a consumer that needed retries is visible in `archspec events list`.
      expect((await deliveryRows(s.storage)).find((d) => d.event === 'probe.flaky')).toMatchObject({ status: 'done', attempts: 3, lastError: 'Error: flaky failure 2' });
    });

    it('parks a consumer that always fails as a dead letter; `archspec events redrive` gets it delivered', async () => {
      writeFileSync(join(dir, 'broken-switch'), 'on');
      expect((await probe('probe.broken', 'b1')).status).toBe(200);
      const dead = await eventually(async () => (await deliveryRows(s.storage)).find((d) => d.event === 'probe.broken' && d.status === 'dead') ?? false);
      expect(dead).toMatchObject({ consumer: 'probe', attempts: 3, lastError: 'Error: broken until the switch file is removed' });
      expect(calls(dir).filter((c) => c.key === 'b1').map((c) => c.attempt)).toEqual([1, 2, 3]);

      const env = { ...process.env, DATABASE_URL: s.databaseUrl };
      const listed = await captureStdout(() => eventsListCommand(specFile, { status: 'dead' }, env));
      expect(listed.code).toBe(0);
      expect(listed.out).toMatch(new RegExp(`${dead.eventId}\\s+probe\\.broken\\s+probe\\s+dead\\s+3\\s+emitted \\S+\\s+Error: broken until the switch file is removed`));
      const metrics = await s.call('GET', '/metrics', { root: true });
      expect(metrics.body).toMatch(/^archspec_dead_letters 1$/m);
      expect(metrics.body).toMatch(/^archspec_event_deliveries_total\{consumer="probe",outcome="dead"\} 1$/m);

      unlinkSync(join(dir, 'broken-switch'));
      await expect(captureStdout(() => eventsRedriveCommand(specFile, { consumer: 'prob' }, env))).rejects.toThrow('no component consumes events under the name prob. Did you mean "probe"?');
      const redriven = await captureStdout(() => eventsRedriveCommand(specFile, { consumer: 'probe' }, env));
      expect(redriven).toEqual({ code: 0, out: 'redrove 1 dead letter: pending again, delivered by the next server poll.\n' });
      await eventually(async () => (await deliveryRows(s.storage)).find((d) => d.id === dead.id)?.status === 'done');
      expect(calls(dir).filter((c) => c.key === 'b1').map((c) => [c.attempt, c.outcome])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'failed'], [1, 'ok']]);
      expect((await captureStdout(() => eventsRedriveCommand(specFile, { all: true }, env))).out).toContain('redrove 0 dead letters');
    });

    it('gives a consumer ctx.dedupe: true the first time it sees a key, false for a duplicate event', async () => {
      expect((await probe('probe.once', 'o1')).status).toBe(200);
      expect((await probe('probe.once', 'o1')).status).toBe(200);
      expect((await probe('probe.once', 'o2')).status).toBe(200);
      await eventually(() => calls(dir).filter((c) => c.consumer === 'once').length === 3);
      expect(calls(dir).filter((c) => c.consumer === 'once').map((c) => `${c.key} ${c.outcome}`).sort()).toEqual(['o1 duplicate', 'o1 first', 'o2 first']);
    });

    it('reports outbox and delivery metrics at /metrics, valid for promtool', async () => {
      await eventually(async () => (await deliveryRows(s.storage)).every((d) => d.status === 'done')).catch(async (e) => {
        throw new Error(`${(e as Error).message}: ${JSON.stringify((await deliveryRows(s.storage)).filter((d) => d.status !== 'done'))}`);
      });
      const r = await s.call('GET', '/metrics', { root: true });
      const text = String(r.body);
      expect(text).toMatch(/^archspec_outbox_pending 0$/m);
      expect(text).toMatch(/^archspec_outbox_lag_seconds 0$/m);
      expect(text).toMatch(/^archspec_dead_letters 0$/m);
      expect(text).toMatch(/^archspec_event_deliveries_total\{consumer="analytics",outcome="delivered"\} [1-9]/m);
      expect(text).toMatch(/^archspec_event_deliveries_total\{consumer="probe",outcome="retried"\} [1-9]/m);
      if (existsSync('/usr/bin/promtool')) {
        const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        const ours = (check.stdout + check.stderr).split('\n').filter((l) => /^archspec_(outbox|event|dead)/.test(l));
        expect(ours).toEqual([]);
      }
    });

    it('lists deliveries with `archspec events list`, and refuses bad options in one line', async () => {
      const env = { ...process.env, DATABASE_URL: s.databaseUrl };
      const all = await captureStdout(() => eventsListCommand(specFile, { limit: '2' }, env));
      expect(all.out.split('\n')[0]).toMatch(/^EVENT ID\s+EVENT\s+CONSUMER\s+STATUS\s+ATTEMPTS\s+WHEN\s+LAST ERROR$/);
      expect(all.out.trim().split('\n')).toHaveLength(3);
      await expect(eventsListCommand(specFile, { status: 'failed' }, env)).rejects.toThrow('--status failed is not a delivery status');
      await expect(eventsListCommand(specFile, { limit: '0' }, env)).rejects.toThrow('--limit 0 is not a whole number from 1 to 1000');
      await expect(eventsRedriveCommand(specFile, {}, env)).rejects.toThrow('exactly one of --id, --consumer, --all');
    });
  });

  describe('payments: the example\'s consumers', () => {
    let s: Served;
    let mailer: Server;
    const mail: { path: string; key: string | undefined; body: any }[] = [];
    const saved = process.env.MAILER_URL;

    beforeAll(async () => {
      mailer = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => { body += d.toString(); });
        req.on('end', () => {
          mail.push({ path: req.url ?? '', key: (req.headers as IncomingHttpHeaders)['idempotency-key'] as string | undefined, body: JSON.parse(body) });
          res.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}');
        });
      });
      await new Promise<void>((resolve) => mailer.listen(0, '127.0.0.1', resolve));
      process.env.MAILER_URL = `http://127.0.0.1:${(mailer.address() as AddressInfo).port}`;
      // The mailer runs on loopback here, which the SSRF guard refuses unless the integration allows it.
      s = await serve('payments', engine, {
        events: FAST,
        spec: (text) => {
          const spec = parse(text);
          spec.requirements.integrations.mailer.allowPrivateNetwork = true;
          return stringify(spec);
        },
      });
    }, 60_000);
    afterAll(async () => {
      await s?.close();
      await new Promise((resolve) => mailer.close(resolve));
      if (saved === undefined) delete process.env.MAILER_URL;
      else process.env.MAILER_URL = saved;
    });

    it('delivers order.placed and payment.captured to every consuming component', async () => {
      const shopper = await s.account('events-shopper@example.com', { fields: { name: 'Sam' } });
      const admin = await s.account('events-admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
      const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'EV-1', name: 'Kettle', unitPrice: '30.00', currency: 'EUR' } });
      const order = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 1 }] } });
      expect(order.status).toBe(201);
      // notifications/send-order-confirmation mails the shopper, keyed so a redelivery sends nothing twice.
      await eventually(() => mail.some((m) => m.key === `order-received:${order.body.id}`));
      expect(mail.find((m) => m.key === `order-received:${order.body.id}`)).toMatchObject({
        path: '/messages', body: { to: 'events-shopper@example.com', template: 'order-received', data: { order: order.body.id, total: '30.00', currency: 'EUR' } },
      });

      // No card processor in the test: the payment stays pending until the processor's signed webhook says captured.
      const pay = await s.call('POST', '/payments', { token: shopper.token, body: { order: order.body.id, processorToken: 'tok_visa' } });
      expect(pay.body.code).toBe('payment_pending');
      const payment = (await s.call('GET', '/payments', { token: shopper.token })).body.items[0];
      const { createHmac } = await import('node:crypto');
      const webhook = JSON.stringify({ type: 'charge.succeeded', created: Math.floor(Date.now() / 1000), data: { reference: payment.id, chargeId: 'ch_ev', cardBrand: 'visa', last4: '4242' } });
      const hook = await s.call('POST', '/webhooks/processor', { raw: webhook, headers: { 'x-processor-signature': createHmac('sha256', WEBHOOK_SECRET).update(webhook).digest('hex') } });
      expect(hook.status).toBe(204);

      const captured = (await outboxRows(s.storage)).find((e) => e.name === 'payment.captured' && e.payload.payment === payment.id)!;
      const consumers = await eventually(async () => {
        const done = (await deliveryRows(s.storage)).filter((d) => d.eventId === captured.id && d.status === 'done');
        return done.length === 3 ? done.map((d) => d.consumer).sort() : false;
      });
      expect(consumers).toEqual(['ledger', 'notifications', 'orders']);
      expect(await s.storage.get('Order', order.body.id)).toMatchObject({ status: 'paid' }); // orders/mark-order-paid
      const entries = await s.storage.list('LedgerEntry', { limit: 10, filters: [{ field: 'payment', op: 'eq', value: payment.id }] });
      expect(entries.items.map((e) => [e.account, e.direction, e.amount]).sort()).toEqual([['processor-clearing', 'debit', '30.00'], ['sales-revenue', 'credit', '30.00']]); // ledger/post-capture
      expect(mail.find((m) => m.key === `receipt:${payment.id}`)?.body).toMatchObject({ template: 'payment-receipt', data: { card: 'visa •••• 4242' } }); // notifications/send-receipt
      const placed = (await outboxRows(s.storage)).find((e) => e.name === 'order.placed' && e.payload.order === order.body.id)!;
      expect((await deliveryRows(s.storage)).filter((d) => d.eventId === placed.id)).toEqual([expect.objectContaining({ consumer: 'notifications', status: 'done', attempts: 1 })]);
    });
  });
});

describe('archspec serve: an event committed before a crash is delivered exactly once after the restart', () => {
  let dir: string;
  let spec: string;

  const output = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-events-crash-'));
    cpSync('examples/linkly', dir, { recursive: true, filter: (source) => !source.endsWith('.data') });
    spec = join(dir, 'archspec.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(ENGINES.includes('sqlite'))('SIGKILL after the commit, restart on the same SQLite file: each consumer gets each event once', async () => {
    // ARCHSPEC_EVENTS_DISPATCH=off: this process writes the outbox but delivers nothing, so every
    // event is committed and undelivered when the process is killed.
    const first = runCli(['serve', spec, '--port', '0'], { ARCHSPEC_EVENTS_DISPATCH: 'off' });
    const api = `http://127.0.0.1:${await bannerPort(first)}/api`;
    const post = (path: string, body: unknown, token?: string) => fetch(api + path, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
    expect((await post('/users', { email: 'crash@example.com', password: 'correct horse battery staple' })).status).toBe(201);
    const { body: { accessToken } } = await post('/auth/login', { email: 'crash@example.com', password: 'correct horse battery staple' });
    const link = await post('/links', { target: 'https://example.org/crash' }, accessToken);
    for (let i = 0; i < 2; i++) expect((await fetch(`${api}/r/${link.body.code}`, { redirect: 'manual' })).status).toBe(302);
    first.child.kill('SIGKILL');
    expect(await first.exit).toBe(null);

    const waiting = output(['events', 'list', spec]);
    expect(waiting.status, waiting.stderr).toBe(0);
    expect(waiting.stdout).toContain('no event deliveries.');
    expect(waiting.stdout).toMatch(/^2 emitted event\(s\) wait in the outbox to be published/m);

    const second = runCli(['serve', spec, '--port', '0']);
    await bannerPort(second);
    const model = await exampleModel('linkly');
    const storage = await createStorage(model, { engine: 'sqlite', url: join(dir, '.data', 'linkly.sqlite') });
    try {
      await eventually(async () => (await deliveryRows(storage)).filter((d) => d.status === 'done').length === 2, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // a few more poll rounds: nothing more may arrive
      const visits = await storage.kysely.selectFrom('Visit').selectAll().execute();
      expect(visits.map((v) => v.link)).toEqual([link.body.code, link.body.code]);
      expect((await deliveryRows(storage)).map((d) => [d.consumer, d.status, d.attempts])).toEqual([['analytics', 'done', 1], ['analytics', 'done', 1]]);
      expect((await outboxRows(storage)).map((e) => e.publishedAt !== null)).toEqual([true, true]);
      expect(new Set(visits.map((v) => v.at))).toEqual(new Set((await outboxRows(storage)).map((e) => e.payload.at)));
    } finally {
      await storage.close();
    }
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 60_000);
});
