import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../openapi/openapi-document.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { accountsService, componentPlan, describePlan, openApiScopeOf, servedModel, UnknownComponentError } from './component-plan.ts';

const keys = (plan: { endpoints: { key: string }[] }) => plan.endpoints.map((e) => e.key).sort();

describe('componentPlan', () => {
  it('gives linkly\'s links service its endpoints, sign-up, the auth and personal-data routes, and no consumer', async () => {
    const linkly = await exampleModel('linkly');
    const links = componentPlan(linkly, 'links');
    expect(keys(links)).toEqual([
      'DELETE /links/{code}', 'DELETE /users/{id}', 'GET /links', 'GET /links/{code}', 'GET /r/{code}', 'GET /users/{id}',
      'PATCH /links/{code}', 'PATCH /users/{id}', 'POST /links', 'POST /users',
    ]);
    expect(links).toMatchObject({ authRoutes: true, privacyRoutes: true, openApi: true, consumes: [], forwards: [], unserved: [] });
    expect(accountsService(linkly)).toBe('links');
  });

  it('gives linkly\'s analytics worker its consumer and no endpoint; the visits read goes to the gateway', async () => {
    const linkly = await exampleModel('linkly');
    const analytics = componentPlan(linkly, 'analytics');
    expect(analytics).toMatchObject({ endpoints: [], authRoutes: false, privacyRoutes: false, openApi: false, consumes: ['link.visited'] });
    // purge-visits has no handler (documentation only); the built-in retention purge has no component, so every process runs it.
    expect(analytics.jobs).toEqual(['retention-purge']);
    const gateway = componentPlan(linkly, 'gateway');
    expect(keys(gateway)).toEqual(['GET /links/{link}/visits']);
    expect(gateway).toMatchObject({ authRoutes: false, privacyRoutes: false, consumes: [], jobs: ['retention-purge'] });
    expect(gateway.forwards).toHaveLength(1);
    expect(gateway.forwards[0]).toMatchObject({ service: 'links', authRoutes: true, privacyRoutes: true });
    expect(keys(gateway.forwards[0]!)).toEqual(keys(componentPlan(linkly, 'links')));
  });

  it('splits telehealth over identity, scheduling and records, with the patient.erased consumers where their handlers are', async () => {
    const telehealth = await exampleModel('telehealth');
    const identity = componentPlan(telehealth, 'identity');
    expect(identity).toMatchObject({ authRoutes: true, privacyRoutes: true, consumes: [] });
    expect(keys(identity)).toContain('POST /users');
    expect(keys(identity)).toContain('GET /me/export');
    const scheduling = componentPlan(telehealth, 'scheduling');
    expect(keys(scheduling)).toEqual(['GET /appointments', 'GET /appointments/{id}', 'GET /schedule', 'POST /appointments', 'POST /appointments/{id}/cancel', 'POST /appointments/{id}/join']);
    expect(scheduling).toMatchObject({ authRoutes: false, consumes: ['patient.erased'] });
    expect(scheduling.jobs).toEqual(expect.arrayContaining(['send-reminders', 'expire-appointments']));
    expect(scheduling.jobs).not.toContain('expire-clinical-records');
    const records = componentPlan(telehealth, 'records');
    expect(records.consumes.sort()).toEqual(['patient.erased', 'prescription.issued']);
    expect(records.jobs).toContain('expire-clinical-records');
    const notifications = componentPlan(telehealth, 'notifications');
    expect(notifications.endpoints).toEqual([]);
    expect(notifications.consumes).toHaveLength(4);
    // Every endpoint is served by exactly one process: the union of the services' and the gateway's own is the API.
    const gateway = componentPlan(telehealth, 'gateway');
    expect(gateway.endpoints).toEqual([]);
    const served = ['identity', 'scheduling', 'records'].flatMap((name) => keys(componentPlan(telehealth, name)));
    expect(served.sort()).toEqual(telehealth.api.endpoints.map((e) => e.key).sort());
    expect(gateway.forwards.map((f) => f.service).sort()).toEqual(['identity', 'records', 'scheduling']);
  });

  it('has payments\' gateway serve the settlement and ledger reads itself (their owners are workers) and forward the rest', async () => {
    const payments = await exampleModel('payments');
    const gateway = componentPlan(payments, 'gateway');
    expect(keys(gateway)).toEqual(['GET /ledger-entries', 'GET /ledger-entries/{id}', 'GET /settlements', 'GET /settlements/{id}']);
    const forwarded = gateway.forwards.flatMap((f) => f.endpoints.map((e) => e.key));
    expect([...forwarded, ...keys(gateway)].sort()).toEqual(payments.api.endpoints.map((e) => e.key).sort());
    expect(gateway.forwards.find((f) => f.service === 'payments')!.endpoints.map((e) => e.key)).toContain('POST /webhooks/processor');
    expect(componentPlan(payments, 'orders')).toMatchObject({ authRoutes: true, consumes: ['payment.captured', 'payment.failed', 'refund.issued'] });
    expect(componentPlan(payments, 'settlement').jobs).toEqual(expect.arrayContaining(['settle-daily']));
    expect(componentPlan(payments, 'ledger').consumes).toEqual(['payment.captured', 'refund.issued', 'settlement.completed']);
    expect(componentPlan(payments, 'payments').jobs).toContain('resolve-pending-payments');
  });

  it('lets the gateway serve the auth routes when no service owns the accounts', async () => {
    const linkly = await exampleModel('linkly');
    const components = linkly.architecture.components.map((c) => (c.name === 'links' ? { ...c, owns: ['Link'] } : c));
    const model = { ...linkly, architecture: { ...linkly.architecture, components } };
    expect(componentPlan(model, 'gateway')).toMatchObject({ authRoutes: true, privacyRoutes: true });
    expect(componentPlan(model, 'links')).toMatchObject({ authRoutes: false, privacyRoutes: false });
    expect(componentPlan(model, 'gateway').forwards[0]).toMatchObject({ service: 'links', authRoutes: false, privacyRoutes: false });
  });

  it('names the endpoints nobody serves when the spec has no gateway', async () => {
    const linkly = await exampleModel('linkly');
    const model = { ...linkly, architecture: { ...linkly.architecture, components: linkly.architecture.components.filter((c) => c.kind !== 'gateway') } };
    expect(componentPlan(model, 'links').unserved.map((e) => e.key)).toEqual(['GET /links/{link}/visits']);
  });

  it('refuses an unknown component, listing the spec\'s', async () => {
    const linkly = await exampleModel('linkly');
    expect(() => componentPlan(linkly, 'link')).toThrow(UnknownComponentError);
    expect(() => componentPlan(linkly, 'link')).toThrow('the spec has no component "link"; its components are gateway, links, analytics');
  });
});

describe('servedModel, openApiScopeOf and describePlan', () => {
  it('keeps only the served endpoints and the rest of the model whole', async () => {
    const linkly = await exampleModel('linkly');
    const plan = componentPlan(linkly, 'links');
    const served = servedModel(linkly, plan);
    expect(served.api.endpoints.map((e) => e.key)).toEqual(plan.endpoints.map((e) => e.key));
    expect(served.entities).toBe(linkly.entities);
    expect(served.api.auth).toBe(linkly.api.auth);
    expect(Object.isFrozen(served.api)).toBe(true);
  });

  it('lists the built-in routes a process serves or, for a gateway, fronts', async () => {
    const linkly = await exampleModel('linkly');
    expect(openApiScopeOf(componentPlan(linkly, 'links'))).toEqual({ authRoutes: true, privacyRoutes: true });
    expect(openApiScopeOf(componentPlan(linkly, 'gateway'))).toEqual({ authRoutes: true, privacyRoutes: true });
    const telehealth = await exampleModel('telehealth');
    expect(openApiScopeOf(componentPlan(telehealth, 'records'))).toEqual({ authRoutes: false, privacyRoutes: false });
  });

  it('gives a service an OpenAPI document of what it serves, and the gateway one of the whole API', async () => {
    const telehealth = await exampleModel('telehealth');
    const records = componentPlan(telehealth, 'records');
    const paths = Object.keys((openApiDocument(servedModel(telehealth, records), openApiScopeOf(records)) as { paths: object }).paths);
    expect(paths.sort()).toEqual([...new Set(records.endpoints.map((e) => e.route))].sort());
    const gateway = componentPlan(telehealth, 'gateway');
    const all = Object.keys((openApiDocument(telehealth, openApiScopeOf(gateway)) as { paths: object }).paths);
    expect(all).toEqual(expect.arrayContaining(['/auth/login', '/privacy/subjects/{id}/erase', '/prescriptions', '/appointments']));
  });

  it('describes what a process serves in one line', async () => {
    const linkly = await exampleModel('linkly');
    expect(describePlan(componentPlan(linkly, 'links'))).toBe('component links (service): 10 endpoints, auth routes, personal-data routes, 0 consumers, 1 job (retention-purge)');
    expect(describePlan(componentPlan(linkly, 'analytics'))).toBe('component analytics (worker): no endpoints, 1 consumer (link.visited), 1 job (retention-purge)');
  });
});
