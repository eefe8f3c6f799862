import type { Threat, ThreatTable } from '../design-report.ts';
import type { Component, ComponentKind, SystemModel } from '../../model/system-model.ts';
import { endpointThreats } from './endpoint-threats.ts';
import { eventThreats, jobThreats } from './background-threats.ts';
import { databaseThreats, integrationThreats } from './dependency-threats.ts';
import { listText, specDuration } from './compliance/evidence.ts';

/** Threats particular to each kind of component. Adding a kind fails to compile until it is here. */
const KIND_THREATS: Record<ComponentKind, (component: Component, model: SystemModel) => Threat[]> = {
  gateway: gatewayThreats,
  service: serviceThreats,
  worker: eventThreats,
  frontend: frontendThreats,
  scheduler: () => [],
};

/**
 * A STRIDE threat table per component, then one for the primary database and one per integration.
 * A component's table holds the threats of its kind, the API threats of the endpoints it serves
 * (not for gateways, which route them) and the threats of the jobs it runs. Threats name the
 * entities, fields, endpoints and events involved; `mitigated` says whether the spec declares the
 * defence (protections, auth, scopes, encryption and audit rules, breakers, limits, idempotency, tracing).
 *
 * @example
 * const unmitigated = threatTables(model).flatMap((t) => t.threats.filter((x) => !x.mitigated));
 */
export function threatTables(model: SystemModel): ThreatTable[] {
  return [
    ...model.architecture.components.map((c) => ({
      component: c.name,
      kind: c.kind,
      threats: [...KIND_THREATS[c.kind](c, model), ...(c.kind === 'gateway' ? [] : endpointThreats(c, model)), ...jobThreats(c, model)],
    })),
    { component: 'primary', kind: 'database', threats: databaseThreats(model) },
    ...model.requirements.integrations.map((i) => ({ component: i.name, kind: 'integration', threats: integrationThreats(i, model) })),
  ];
}

function gatewayThreats(gateway: Component, model: SystemModel): Threat[] {
  const auth = model.api.auth;
  const has = (p: string) => (model.security.protections as readonly string[]).includes(p);
  const open = model.api.endpoints.filter((e) => e.public && !e.rateLimit).map((e) => e.key);
  const unlisted = model.api.endpoints.filter((e) => !e.public && e.roles.length === 0).map((e) => e.key);
  const threats: Threat[] = [
    {
      category: 'Spoofing',
      threat: `forged, expired or stolen ${auth.method === 'oidc' ? 'OIDC tokens' : auth.apiKeys ? 'bearer tokens or API keys' : 'bearer tokens'} presented to ${gateway.name}`,
      mitigation: auth.method === 'none'
        ? 'choose an api.auth.method: nothing is authenticated'
        : `${auth.method} verified on every request; access tokens live ${specDuration(auth.accessTtlMs)}${has('token-theft') ? '; token-theft protection' : ''}`,
      mitigated: auth.method !== 'none' && auth.accessTtlMs <= 3_600_000,
    },
  ];
  if (auth.method === 'password+jwt') {
    threats.push({
      category: 'Spoofing',
      threat: `credential stuffing and password guessing against ${auth.userEntity} sign-in`,
      mitigation: [auth.loginLimit ? `loginLimit ${auth.loginLimit.text}` : 'set api.auth.loginLimit', auth.mfa ? 'mfa' : '', has('credential-stuffing') ? 'credential-stuffing protection' : '']
        .filter(Boolean).join(', '),
      mitigated: auth.loginLimit !== undefined || has('brute-force') || has('credential-stuffing'),
    });
  }
  threats.push(
    {
      category: 'Tampering',
      threat: `requests or responses altered between clients and ${gateway.name} (TLS stripping, downgrade)`,
      mitigation: `TLS ${model.security.encryption.inTransit.replace('tls', '')} terminated at ${gateway.name}`,
      mitigated: true,
    },
    {
      category: 'Repudiation',
      threat: `a request cannot be traced from ${gateway.name} to the services and stores it reached`,
      mitigation: model.observability.tracing.tool === 'none' ? 'set observability.tracing.tool: opentelemetry' : `request id and ${model.observability.tracing.tool} span started at ${gateway.name}`,
      mitigated: model.observability.tracing.tool !== 'none',
    },
    {
      category: 'Information disclosure',
      threat: 'error responses and status codes reveal which ids and accounts exist',
      mitigation: has('enumeration') ? 'enumeration in security.protections (uniform errors)' : 'add enumeration to security.protections',
      mitigated: has('enumeration'),
    },
    {
      category: 'Denial of service',
      threat: open.length ? `request floods on ${listText(open)} (public, no rateLimit)` : `request floods on ${gateway.name}`,
      mitigation: has('ddos') ? 'ddos in security.protections' : open.length ? `a rateLimit on ${listText(open)}, or ddos in security.protections` : 'a rateLimit on every public endpoint',
      mitigated: has('ddos') || open.length === 0,
    },
    {
      category: 'Elevation of privilege',
      threat: unlisted.length ? `${listText(unlisted)} list no roles, so any signed-in role is routed to them` : 'a request routed to an endpoint without its role check',
      mitigation: unlisted.length ? `list roles on ${listText(unlisted)}` : 'every non-public endpoint lists its roles (authorize before the handler)',
      mitigated: unlisted.length === 0,
    },
  );
  return threats;
}

function serviceThreats(service: Component, model: SystemModel): Threat[] {
  const auth = model.api.auth.method;
  return [{
    category: 'Spoofing',
    threat: `a caller reaches ${service.name} without a valid identity and acts on ${service.owns.length ? listText(service.owns) : 'its data'}`,
    mitigation: auth === 'none' ? 'choose an api.auth.method' : `${auth} identity checked in ${service.name} before authorization, not only at the edge`,
    mitigated: auth !== 'none',
  }];
}

function frontendThreats(frontend: Component, model: SystemModel): Threat[] {
  const has = (p: string) => (model.security.protections as readonly string[]).includes(p);
  const guard = (p: string) => (has(p) ? `${p} in security.protections` : `add ${p} to security.protections`);
  return [
    { category: 'Tampering', threat: `script injected into pages served by ${frontend.name} (XSS) runs as the signed-in user`, mitigation: guard('xss'), mitigated: has('xss') },
    { category: 'Spoofing', threat: `another site makes the browser send requests to ${frontend.name} with the user's cookies (CSRF)`, mitigation: guard('csrf'), mitigated: has('csrf') },
    { category: 'Tampering', threat: `${frontend.name} framed by another site to trick clicks (clickjacking)`, mitigation: guard('clickjacking'), mitigated: has('clickjacking') },
    { category: 'Information disclosure', threat: `tokens kept in browser storage are stolen by a script`, mitigation: guard('token-theft'), mitigated: has('token-theft') },
  ];
}
