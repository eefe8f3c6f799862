import type { Component, ComponentKind, Endpoint, SystemModel } from '../../model/system-model.ts';
import { erasableEntity, privacyRoutes } from '../data/privacy/privacy-paths.ts';
import { jobPlan } from '../jobs/job-definitions.ts';

/**
 * What one component process serves under `archspec serve --component NAME`: the same spec runs
 * as one process (the modular monolith, no plan at all) or as one process per component, each
 * serving its own part of the API, its event consumers and its jobs.
 *
 * Who serves what:
 * - An endpoint is served by its `component` (the owner of its entity, or set explicitly) when
 *   that component is a service or a gateway. An endpoint with no component, or whose component
 *   runs no HTTP API (a worker, scheduler or frontend), is served by the gateway itself, with the
 *   database: reads of entities only workers own (linkly's visits, payments' ledger) have no
 *   service to go to.
 * - The auth routes (login, refresh, logout, API keys) are served by the accounts service: the
 *   service owning `api.auth.userEntity`; sign-up is that entity's create endpoint, so it lands
 *   there too. The personal-data routes (`/privacy/...`) are served by the service owning the
 *   `erasable` entity. When no service owns it, the gateway serves them itself.
 * - Event consumers run in the process of the component whose `handlers` name them.
 * - A job runs in the process of its `component`; a job without one (and the built-in
 *   retention purge) runs in every component process: the job leases make each occurrence run once.
 * - The gateway forwards every endpoint (and the auth and personal-data routes) served by a
 *   service to that service.
 */
export interface ComponentPlan {
  component: Component;
  /** The spec endpoints this process serves itself (generated CRUD and custom handlers). */
  endpoints: Endpoint[];
  /** Whether it serves the auth routes (login, refresh, logout, API keys). */
  authRoutes: boolean;
  /** Whether it serves the personal-data routes (`/privacy/...`). */
  privacyRoutes: boolean;
  /** Whether it serves /openapi.json and /docs (services and gateways: the API it serves or fronts). */
  openApi: boolean;
  /** Events whose consumers (this component's `handlers`) run in this process. */
  consumes: string[];
  /** Names of the jobs this process runs (its own, those without a component, the built-in ones). */
  jobs: string[];
  /** The gateway's routing table: what it forwards to which service (empty for other kinds). */
  forwards: ServiceRoutes[];
  /** Endpoints no component process serves (the spec has no gateway to serve them): for a warning. */
  unserved: Endpoint[];
}

/** `ServerDeps.component`: the plan, and for a gateway where its services are. */
export interface ComponentServing {
  plan: ComponentPlan;
  /** The origin of each service the gateway forwards to, by component name (see gateway/service-addresses.ts). */
  upstreams?: ReadonlyMap<string, string>;
  /** How long the gateway waits for a service's answer (default 30 s). */
  upstreamTimeoutMs?: number;
}

/** What a gateway forwards to one service. */
export interface ServiceRoutes {
  /** The service component's name. */
  service: string;
  endpoints: Endpoint[];
  authRoutes: boolean;
  privacyRoutes: boolean;
}

/** `--component` names no component of the spec. */
export class UnknownComponentError extends Error {
  readonly code = 'component_unknown';
  constructor(readonly requested: string, readonly known: string[]) {
    super(`the spec has no component "${requested}"; its components are ${known.join(', ') || 'none'}`);
    this.name = 'UnknownComponentError';
  }
}

/** What a component of each kind runs: an HTTP API (services, gateways) or only background work. */
const SERVES_HTTP: Record<ComponentKind, boolean> = {
  gateway: true,
  service: true,
  worker: false,
  scheduler: false,
  frontend: false,
};

/**
 * The plan of component `name` of `model`.
 *
 * @throws UnknownComponentError when the spec has no such component
 * @example
 * const plan = componentPlan(linkly, 'analytics'); // { endpoints: [], consumes: ['link.visited'], jobs: ['retention-purge'], ... }
 */
export function componentPlan(model: SystemModel, name: string): ComponentPlan {
  const component = model.architecture.components.find((c) => c.name === name);
  if (!component) throw new UnknownComponentError(name, model.architecture.components.map((c) => c.name));
  const serverOf = endpointServers(model);
  const gateway = component.kind === 'gateway';
  const accounts = accountsService(model);
  const privacy = privacyService(model);
  const servesHttp = SERVES_HTTP[component.kind];
  const runsHere = (server: string | undefined) => servesHttp && (server === name || (gateway && server === undefined));
  const endpoints = model.api.endpoints.filter((e) => runsHere(serverOf.get(e.key)));
  const hasAuthRoutes = model.api.auth.method === 'password+jwt' || model.api.auth.apiKeys;
  return {
    component,
    endpoints,
    authRoutes: hasAuthRoutes && runsHere(accounts),
    privacyRoutes: privacyRoutes(model).length > 0 && runsHere(privacy),
    openApi: servesHttp,
    consumes: Object.keys(component.handlers),
    jobs: jobsOf(model, name),
    forwards: gateway ? forwardsOf(model, serverOf, accounts, privacy, hasAuthRoutes) : [],
    unserved: model.architecture.components.some((c) => c.kind === 'gateway') ? [] : model.api.endpoints.filter((e) => serverOf.get(e.key) === undefined),
  };
}

/** The service serving each endpoint (by key), or undefined when the gateway serves it itself. */
function endpointServers(model: SystemModel): Map<string, string | undefined> {
  const kinds = new Map(model.architecture.components.map((c) => [c.name, c.kind]));
  const servers = new Map<string, string | undefined>();
  for (const endpoint of model.api.endpoints) {
    const kind = endpoint.component ? kinds.get(endpoint.component) : undefined;
    servers.set(endpoint.key, kind && SERVES_HTTP[kind] ? endpoint.component : undefined);
  }
  return servers;
}

/** The service owning the entity that holds the accounts, if one does. */
export function accountsService(model: SystemModel): string | undefined {
  return serviceOwning(model, model.api.auth.userEntity);
}

/** The service owning the `erasable` data subject, if one does. */
function privacyService(model: SystemModel): string | undefined {
  const subject = erasableEntity(model);
  return subject ? serviceOwning(model, subject) : undefined;
}

function serviceOwning(model: SystemModel, entity: string): string | undefined {
  return model.architecture.components.find((c) => c.kind === 'service' && c.owns.includes(entity))?.name;
}

function jobsOf(model: SystemModel, name: string): string[] {
  const componentOf = new Map(model.jobs.map((j) => [j.name, j.component]));
  return jobPlan(model).runnable.map((j) => j.name).filter((job) => {
    const owner = componentOf.get(job);
    return owner === undefined || owner === name;
  });
}

function forwardsOf(model: SystemModel, serverOf: Map<string, string | undefined>, accounts: string | undefined, privacy: string | undefined, hasAuthRoutes: boolean): ServiceRoutes[] {
  const routes = new Map<string, ServiceRoutes>();
  const of = (service: string) => {
    let entry = routes.get(service);
    if (!entry) routes.set(service, entry = { service, endpoints: [], authRoutes: false, privacyRoutes: false });
    return entry;
  };
  for (const endpoint of model.api.endpoints) {
    const server = serverOf.get(endpoint.key);
    const kind = model.architecture.components.find((c) => c.name === server)?.kind;
    if (server && kind === 'service') of(server).endpoints.push(endpoint);
  }
  if (hasAuthRoutes && accounts) of(accounts).authRoutes = true;
  if (privacy && privacyRoutes(model).length > 0) of(privacy).privacyRoutes = true;
  return [...routes.values()];
}

/**
 * The model as a component process serves it: `api.endpoints` holds only the endpoints it serves
 * itself; everything else (entities, roles, events, storage) is the whole system's. Give it to the
 * stages that register or load something per endpoint (handler modules, signature secrets, rate
 * limits, the OpenAPI document); the generated routes keep the whole model, since the rules they
 * apply (who may read a related record) look at every endpoint of the system.
 */
export function servedModel(model: SystemModel, plan: ComponentPlan): SystemModel {
  return Object.freeze({ ...model, api: Object.freeze({ ...model.api, endpoints: plan.endpoints }) });
}

/**
 * Which built-in routes the OpenAPI document of a component process lists: a gateway's lists the
 * whole API (everything it serves or forwards); a service's lists the auth and personal-data
 * routes only when it serves them.
 */
export function openApiScopeOf(plan: ComponentPlan): { authRoutes: boolean; privacyRoutes: boolean } {
  const gateway = plan.forwards.length > 0;
  return { authRoutes: gateway || plan.authRoutes, privacyRoutes: gateway || plan.privacyRoutes };
}

/**
 * One line saying what the process serves, for the start-up banner, e.g.
 * `component links (service): 10 endpoints, auth routes, personal-data routes, 0 consumers, 1 job`.
 */
export function describePlan(plan: ComponentPlan): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    ...(SERVES_HTTP[plan.component.kind] ? [count(plan.endpoints.length, 'endpoint')] : ['no endpoints']),
    ...(plan.authRoutes ? ['auth routes'] : []),
    ...(plan.privacyRoutes ? ['personal-data routes'] : []),
    `${count(plan.consumes.length, 'consumer')}${plan.consumes.length ? ` (${plan.consumes.join(', ')})` : ''}`,
    `${count(plan.jobs.length, 'job')}${plan.jobs.length ? ` (${plan.jobs.join(', ')})` : ''}`,
  ];
  return `component ${plan.component.name} (${plan.component.kind}): ${parts.join(', ')}`;
}
