import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityOf, type Row } from '../../src/adapters/storage/storage.ts';
import type { Endpoint, Entity, Field, SystemModel } from '../../src/model/system-model.ts';
import { authorize } from '../../src/runtime/auth/authorize.ts';
import { EXAMPLES, exampleModel, type ExampleName } from '../../src/runtime/test-support/example-models.ts';
import { comparable, invalidValue, SampleData } from './sample-data.ts';
import { ENGINES, serve, WEBHOOK_SECRET, type Answer, type Served } from './serve-harness.ts';
import { allowPrivateIntegrations } from '../support/integration-double.ts';

// Issue 3, point 10: every endpoint of the three examples answers over real HTTP. Each generated endpoint
// is called once validly (by the first role the spec admits, on records that caller may see) and asserts
// its documented status and shape; each custom endpoint runs its handler on prepared records and answers
// the status its `returns:` text announces (200 when it states none); then every endpoint gets invalid
// requests (no token, a body field of the wrong type, an unknown field, a bad query or id) that must
// answer 4xx problem+json, never 5xx.

const MODELS = Object.fromEntries(await Promise.all(EXAMPLES.map(async (n) => [n, await exampleModel(n)] as const))) as Record<ExampleName, SystemModel>;

/**
 * Tests run with `it.fails` because of a bug found by this suite, by test name (optionally prefixed
 * "<engine> "). Remove an entry once its bug is fixed: the test then passes, and `it.fails` reports that.
 */
const KNOWN_BUGS: Record<string, string> = {};

type Account = { id: string; token: string };

/** One served example with an account per role and a sample-data generator on its storage. */
class World {
  private n = 0;
  readonly accounts = new Map<string, Account>();
  readonly data: SampleData;
  constructor(readonly s: Served, readonly model: SystemModel) { this.data = new SampleData(model, s.storage); }

  as(role: string): Account {
    const account = this.accounts.get(role);
    if (!account) throw new Error(`no ${role} account`);
    return account;
  }

  /** A new account holding `role`, with the sign-up fields the user entity requires. */
  async fresh(role: string): Promise<Account> {
    const user = entityOf(this.model, this.model.api.auth.userEntity);
    const fields = await this.data.body(user.fields.filter((f) => f.required && f.default === undefined && !f.readOnly && f.name !== 'email' && f.type !== 'ref'));
    return this.s.account(`${role}-${++this.n}@example.com`, { role, fields });
  }
}

/** The first role (of the endpoint's list, else of the spec) the spec admits, with its scope; undefined on public endpoints. */
function callerRole(model: SystemModel, endpoint: Endpoint): { role: string; scope: 'own' | 'all' } | undefined {
  if (endpoint.public) return undefined;
  for (const role of endpoint.roles.length ? endpoint.roles : model.security.roles.map((r) => r.name)) {
    const decision = authorize(model, endpoint, { userId: 'probe', roles: [role], via: 'jwt' });
    if (decision.allowed) return { role, scope: decision.scope };
  }
  throw new Error(`no role of the spec may call ${endpoint.key}`);
}

/** Fields a client writes through a generated create/update (server-managed, read-only, owner and path fields excluded). */
function writable(entity: Entity, endpoint: Endpoint): Field[] {
  return entity.fields.filter((f) => !f.readOnly && f.name !== entity.owner && !endpoint.pathParams.includes(f.name));
}

/** The request body fields of an endpoint, and whether it carries a body at all. */
function bodyFields(model: SystemModel, endpoint: Endpoint): Field[] | undefined {
  if (endpoint.operation === 'custom') return endpoint.body.length ? endpoint.body : undefined;
  return endpoint.operation === 'create' || endpoint.operation === 'update' ? writable(entityOf(model, endpoint.entity!), endpoint) : undefined;
}

/** `route` with its parameters filled from `values`. */
function pathOf(endpoint: Endpoint, values: Record<string, unknown>): string {
  return endpoint.route.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(String(values[p])));
}

/** An id of the right format that names no record. */
function missingId(entity: Entity | undefined): string | number {
  return entity?.id.type === 'integer' ? 987654 : entity?.id.type === 'string' ? 'missing-record' : randomUUID();
}

/** Path values naming no record, in the format each parameter expects. */
function missingPath(model: SystemModel, endpoint: Endpoint): Record<string, unknown> {
  const entity = endpoint.entity ? entityOf(model, endpoint.entity) : undefined;
  return Object.fromEntries(endpoint.pathParams.map((p) => {
    const ref = entity?.fields.find((f) => f.name === p)?.ref;
    return [p, missingId(ref ? entityOf(model, ref.entity) : entity)];
  }));
}

/** The success status a `returns:` text announces ("the Refund (201)", "a 302 redirect"), if any. */
function announcedStatus(returns: string): number | undefined {
  const match = /\b([1-3]\d\d)\b/.exec(returns);
  return match ? Number(match[1]) : undefined;
}

function expectSuccess(r: Answer, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type') ?? '').not.toMatch(/problem\+json/);
}

function expectProblem(r: Answer, status: number): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, code: expect.any(String) });
}

/** Every sent value comes back (compared as values: decimals as numbers, timestamps as instants). */
function expectEchoed(entity: Entity, sent: Row, got: Row): void {
  for (const field of entity.fields) {
    if (field.name in sent) expect(comparable(field, got[field.name]), field.name).toEqual(comparable(field, sent[field.name]));
  }
}

/** One valid call of a generated endpoint, with its assertions. */
async function generatedCall(w: World, endpoint: Endpoint): Promise<void> {
  const { model, s } = w;
  const entity = entityOf(model, endpoint.entity!);
  const pick = callerRole(model, endpoint);
  const isAccount = entity.name === model.api.auth.userEntity;
  // On the account entity under scope own, the only record a caller reaches is its own: use a fresh account.
  const caller = pick ? (isAccount && pick.scope === 'own' ? await w.fresh(pick.role) : w.as(pick.role)) : undefined;
  const token = caller?.token;
  const idField = entity.id.field;
  if (endpoint.operation === 'create') {
    const parents = Object.fromEntries(await Promise.all(endpoint.pathParams.map(async (p) => {
      const ref = entity.fields.find((f) => f.name === p)!.ref!;
      return [p, (await w.data.record(ref.entity, { userId: caller?.id }))[entityOf(model, ref.entity).id.field]];
    })));
    const sent = await w.data.body(writable(entity, endpoint), { userId: caller?.id });
    const password = isAccount && model.api.auth.method === 'password+jwt' ? { password: 'a sample password 123' } : {};
    const r = await s.call('POST', pathOf(endpoint, parents), { token, body: { ...sent, ...password } });
    expectSuccess(r, 201);
    expect(r.body[idField]).toBeDefined();
    expect(r.headers.get('location')).toMatch(new RegExp(`/${encodeURIComponent(String(r.body[idField]))}$`));
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(r.body).not.toHaveProperty('password');
    expectEchoed(entity, sent, r.body);
    return;
  }
  const target = isAccount && pick?.scope === 'own' ? (await s.storage.get(entity.name, caller!.id))! : await w.data.record(entity.name, { userId: caller?.id });
  const id = target[idField] as string | number;
  const idParam = endpoint.pathParams.at(-1);
  const path = pathOf(endpoint, { ...target, ...(endpoint.operation === 'list' ? {} : { [idParam!]: id }) });
  if (endpoint.operation === 'list') {
    const r = await s.call('GET', `${path}?${idField}=${encodeURIComponent(String(id))}`, { token });
    expectSuccess(r, 200);
    expect(r.body.items.map((item: Row) => String(item[idField]))).toEqual([String(id)]);
  } else if (endpoint.operation === 'get') {
    const r = await s.call('GET', path, { token });
    expectSuccess(r, 200);
    expect(String(r.body[idField])).toBe(String(id));
    expect(r.headers.get('etag')).toBe(`W/"${String(target.version)}"`);
  } else if (endpoint.operation === 'update') {
    const sent = await w.data.body(writable(entity, endpoint), { userId: caller?.id });
    const r = await s.call(endpoint.method, path, { token, body: sent, headers: { 'if-match': `W/"${String(target.version)}"` } });
    expectSuccess(r, 200);
    expect(r.headers.get('etag')).toBe(`W/"${Number(target.version) + 1}"`);
    expectEchoed(entity, sent, r.body);
  } else {
    const r = await s.call('DELETE', path, { token });
    expectSuccess(r, 204);
    expect(await s.storage.get(entity.name, id)).toBeUndefined();
  }
}

/** An invalid request of one endpoint and the 4xx it must answer. */
interface BadRequest { title: string; status: number; send(w: World): Promise<Answer>; check?(r: Answer): void }

function badRequests(model: SystemModel, endpoint: Endpoint): BadRequest[] {
  const path = () => pathOf(endpoint, missingPath(model, endpoint));
  const pick = callerRole(model, endpoint);
  const cases: BadRequest[] = [];
  if (pick) cases.push({ title: 'rejects a request without a token (401)', status: 401, send: (w) => w.s.call(endpoint.method, path()) });
  const fields = bodyFields(model, endpoint);
  const call = async (w: World, change: (body: Row) => Row) => {
    const caller = pick ? w.as(pick.role) : undefined;
    const body = change(await w.data.body(fields!, { userId: caller?.id }));
    return w.s.call(endpoint.method, path(), { token: caller?.token, body, headers: endpoint.operation === 'update' ? { 'if-match': 'W/"1"' } : {} });
  };
  const typed = fields?.find((f) => invalidValue(f) !== undefined);
  if (typed) {
    cases.push({
      title: `rejects ${typed.name} of the wrong type (422)`, status: 422,
      send: (w) => call(w, (body) => ({ ...body, [typed.name]: invalidValue(typed) })),
      check: (r) => expect(r.body.errors).toContainEqual(expect.objectContaining({ pointer: `/${typed.name}` })),
    });
  }
  if (fields) cases.push({ title: 'rejects an unknown body field (422)', status: 422, send: (w) => call(w, (body) => ({ ...body, notAField: 'x' })) });
  if (cases.length) return cases;
  if (endpoint.operation === 'list') return [{ title: 'rejects limit=0 (422)', status: 422, send: (w) => w.s.call('GET', `${path()}?limit=0`) }];
  if (endpoint.signature) return [{ title: `rejects a delivery without ${endpoint.signature.header} (401)`, status: 401, send: (w) => w.s.call(endpoint.method, path(), { body: {} }) }];
  const entity = endpoint.entity ? entityOf(model, endpoint.entity) : undefined;
  if (entity && entity.id.type !== 'string') {
    return [{ title: 'rejects a malformed id (422)', status: 422, send: (w) => w.s.call(endpoint.method, pathOf(endpoint, { [endpoint.pathParams.at(-1)!]: 'not an id' })) }];
  }
  return [{ title: 'answers 404 for a record that does not exist', status: 404, send: (w) => w.s.call(endpoint.method, path()) }];
}

/** A plausible valid call of a custom endpoint on records it prepares; `verify` checks more than the status. */
type Scenario = (w: World, e: Endpoint) => Promise<{ r: Answer; verify?(): unknown }>;

const EVERY_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-23:59']]));
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

/** A clinician account with its profile and a visit it holds with the shared patient. */
async function heldVisit(w: World, status: string): Promise<{ doc: Account; visit: Row }> {
  const doc = await w.fresh('clinician');
  const profile = await w.data.record('Clinician', { userId: doc.id });
  const visit = await w.data.record('Appointment', { userId: w.as('patient').id, overrides: { clinician: profile.id, status } });
  return { doc, visit };
}

const SCENARIOS: Record<ExampleName, Record<string, Scenario>> = {
  linkly: {
    'GET /r/{code}': async (w) => {
      const link = await w.data.record('Link', { userId: w.as('user').id });
      const r = await w.s.call('GET', `/r/${String(link.code)}`);
      return { r, verify: () => expect(r.headers.get('location')).toBe(link.target) };
    },
  },
  payments: {
    'POST /orders': async (w) => {
      const product = await w.data.record('Product', { overrides: { currency: 'EUR', unitPrice: '12.50', active: true } });
      const body = { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.id, quantity: 2 }] };
      const r = await w.s.call('POST', '/orders', { token: w.as('customer').token, body });
      return { r, verify: () => expect(r.body).toMatchObject({ total: '25.00', items: [{ product: product.id, quantity: 2 }] }) };
    },
    'POST /orders/{id}/cancel': async (w) => {
      const order = await w.data.record('Order', { userId: w.as('customer').id });
      const r = await w.s.call('POST', `/orders/${String(order.id)}/cancel`, { token: w.as('customer').token });
      return { r, verify: () => expect(r.body).toMatchObject({ id: order.id, status: 'cancelled' }) };
    },
    'POST /payments': async (w) => {
      const shopper = await w.fresh('customer');
      const order = await w.data.record('Order', { userId: shopper.id, overrides: { total: '25.00', currency: 'EUR' } });
      const r = await w.s.call('POST', '/payments', { token: shopper.token, body: { order: order.id, processorToken: 'tok_visa' } });
      return { r, verify: () => expect(r.body).toMatchObject({ order: order.id, status: 'captured', amount: '25.00' }) };
    },
    'POST /payments/{payment}/refunds': async (w) => {
      const payment = await w.data.record('Payment', { userId: w.as('customer').id, overrides: { status: 'captured', amount: '25.00', currency: 'EUR', refundedAmount: '0.00' } });
      const r = await w.s.call('POST', `/payments/${String(payment.id)}/refunds`, { token: w.as('support').token, body: { amount: '10.00', reason: 'damaged' } });
      return { r, verify: () => expect(r.body).toMatchObject({ payment: payment.id, status: 'succeeded', amount: '10.00' }) };
    },
    'POST /webhooks/processor': async (w, e) => {
      const payment = await w.data.record('Payment', { userId: w.as('customer').id });
      const raw = JSON.stringify({ id: `evt_${String(payment.id)}`, type: 'charge.succeeded', created: Math.floor(Date.now() / 1000), data: { reference: payment.id, chargeId: `ch_${String(payment.id)}`, last4: '4242' } });
      const signature = createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex');
      const r = await w.s.call('POST', e.route, { raw, headers: { [e.signature!.header.toLowerCase()]: signature } });
      return { r, verify: async () => expect(await w.s.storage.get('Payment', payment.id as string)).toMatchObject({ status: 'captured' }) };
    },
  },
  telehealth: {
    'POST /users/{id}/erase': async (w) => {
      const patient = await w.fresh('patient');
      const r = await w.s.call('POST', `/users/${patient.id}/erase`, { token: w.as('admin').token });
      return { r, verify: async () => expect(await w.s.storage.get('User', patient.id)).toMatchObject({ status: 'erased' }) };
    },
    'GET /me/export': async (w) => {
      const r = await w.s.call('GET', '/me/export', { token: w.as('patient').token });
      return { r, verify: () => expect(r.body).toMatchObject({ account: { email: expect.any(String) }, appointments: expect.any(Array) }) };
    },
    'POST /appointments': async (w) => {
      const patient = await w.fresh('patient');
      await w.data.record('Patient', { userId: patient.id });
      const clinician = await w.data.record('Clinician', { overrides: { workingHours: EVERY_DAY, timezone: 'UTC', acceptingPatients: true, visitMinutes: 20 } });
      const tomorrow = new Date(Date.now() + 86_400_000);
      const startsAt = new Date(Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 10)).toISOString();
      const r = await w.s.call('POST', '/appointments', { token: patient.token, body: { clinician: clinician.id, startsAt, reason: 'a cough' } });
      return { r, verify: () => expect(r.body).toMatchObject({ clinician: clinician.id, patient: patient.id, status: 'booked' }) };
    },
    'POST /appointments/{id}/cancel': async (w) => {
      const visit = await w.data.record('Appointment', { userId: w.as('patient').id });
      const r = await w.s.call('POST', `/appointments/${String(visit.id)}/cancel`, { token: w.as('patient').token, body: { reason: 'feeling better' } });
      return { r, verify: () => expect(r.body).toMatchObject({ id: visit.id, status: 'cancelled' }) };
    },
    'POST /appointments/{id}/join': async (w) => {
      const visit = await w.data.record('Appointment', { userId: w.as('patient').id, overrides: { startsAt: inMinutes(5), endsAt: inMinutes(25), videoRoom: null } });
      const r = await w.s.call('POST', `/appointments/${String(visit.id)}/join`, { token: w.as('patient').token });
      return { r, verify: () => expect(r.body).toEqual({ room: `room-${String(visit.id)}`, token: 'video-token', expiresAt: expect.any(String) }) };
    },
    'GET /schedule': async (w) => {
      const { doc, visit } = await heldVisit(w, 'booked');
      const r = await w.s.call('GET', '/schedule', { token: doc.token });
      return { r, verify: () => expect(r.body.items.map((a: Row) => a.id)).toEqual([visit.id]) };
    },
    'POST /appointments/{appointment}/notes': async (w, e) => {
      const { doc, visit } = await heldVisit(w, 'in-progress');
      const r = await w.s.call('POST', `/appointments/${String(visit.id)}/notes`, { token: doc.token, body: await w.data.body(e.body) });
      return { r, verify: () => expect(r.body).toMatchObject({ appointment: visit.id, patient: visit.patient }) };
    },
    'POST /appointments/{appointment}/prescriptions': async (w, e) => {
      const { doc, visit } = await heldVisit(w, 'completed');
      const r = await w.s.call('POST', `/appointments/${String(visit.id)}/prescriptions`, { token: doc.token, body: await w.data.body(e.body) });
      return { r, verify: () => expect(r.body).toMatchObject({ appointment: visit.id, status: 'issued' }) };
    },
  },
};

/** A stand-in for every integration the handlers call (card processor, fraud scoring, video). */
function fakeIntegrations(): Promise<{ url: string; close(): Promise<void> }> {
  const answer = (path: string, body: Row): unknown => {
    if (path === '/charges') return { status: 'succeeded', id: `ch_${String(body.reference)}`, cardBrand: 'visa', last4: '4242' };
    if (path === '/refunds') return { status: 'succeeded', id: `re_${String(body.reference)}` };
    if (path === '/scores') return { score: 5 };
    if (path === '/rooms') return { name: `room-${String(body.name)}` };
    if (/^\/rooms\/[^/]+\/tokens$/.test(path)) return { value: 'video-token', expiresAt: inMinutes(15) };
    return undefined;
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    req.on('end', () => {
      const body = answer(req.url ?? '', text ? JSON.parse(text) as Row : {});
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  })));
}

const INTEGRATION_URLS = ['CARD_PROCESSOR_URL', 'FRAUD_API_URL', 'VIDEO_API_URL'];
const VERBS = { create: 'creates (201)', list: 'lists (200)', get: 'reads (200)', update: 'updates (200)', delete: 'deletes (204)' } as const;

describe.each(ENGINES)('archspec serve: every endpoint of the examples on %s', (engine) => {
  let integrations: { url: string; close(): Promise<void> };
  const saved = INTEGRATION_URLS.map((name) => [name, process.env[name]] as const);
  beforeAll(async () => {
    integrations = await fakeIntegrations();
    for (const name of INTEGRATION_URLS) process.env[name] = integrations.url;
  });
  afterAll(async () => {
    await integrations?.close();
    for (const [name, value] of saved) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  });

  for (const example of EXAMPLES) {
    describe(example, () => {
      const model = MODELS[example];
      let w: World;
      beforeAll(async () => {
        // The fake integrations listen on 127.0.0.1, which the SSRF guard refuses unless the spec allows it.
        w = new World(await serve(example, engine, { spec: (text) => allowPrivateIntegrations(text) }), model);
        for (const role of model.security.roles) w.accounts.set(role.name, await w.fresh(role.name));
      }, 60_000);
      afterAll(async () => w?.s.close());

      const test = (name: string, fn: () => Promise<void>) => {
        const bug = KNOWN_BUGS[name] ?? KNOWN_BUGS[`${engine} ${name}`];
        (bug ? it.fails : it)(name, fn);
      };
      for (const endpoint of model.api.endpoints) {
        if (endpoint.operation !== 'custom') {
          test(`${example} ${endpoint.key} ${VERBS[endpoint.operation]}`, () => generatedCall(w, endpoint));
        } else {
          const status = announcedStatus(endpoint.returns) ?? 200;
          test(`${example} ${endpoint.key} answers ${status} through ${endpoint.handler}`, async () => {
            const scenario = SCENARIOS[example][endpoint.key];
            if (!scenario) throw new Error(`no scenario for the custom endpoint ${endpoint.key}: add one to SCENARIOS`);
            const { r, verify } = await scenario(w, endpoint);
            expectSuccess(r, status);
            await verify?.();
          });
        }
        for (const bad of badRequests(model, endpoint)) {
          test(`${example} ${endpoint.key} ${bad.title}`, async () => {
            const r = await bad.send(w);
            expectProblem(r, bad.status);
            bad.check?.(r);
          });
        }
      }
    });
  }
});
