import type { Security, SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { code, codes, heading, joined, list, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { AUTH_METHOD } from './api-design.ts';
import { endpointPath, words } from './format.ts';
import { complianceSection, threatModelSection } from './security-analyses.ts';

const AUTHZ: Record<Security['authz'], string> = {
  rbac: 'role-based access control: each role holds permissions on entities',
  abac: 'attribute-based access control: decisions use attributes of the caller and the record',
  'rbac+ownership': 'role-based access control plus record ownership: roles grant actions, and scope own limits them to the caller\'s records',
};

const PROTECTION: Record<Security['protections'][number], string> = {
  'sql-injection': 'parameterized queries only',
  xss: 'user content encoded on output',
  csrf: 'tokens or same-site cookies on state-changing requests',
  ssrf: 'outbound calls to private and loopback addresses refused',
  bola: 'object-level authorization on every record access',
  'mass-assignment': 'only declared, writable fields accepted from clients',
  'brute-force': 'sign-in attempts limited per account and address',
  'credential-stuffing': 'sign-in attempts limited per account and address, uniform failure responses',
  ddos: 'rate limits and load shedding at the edge',
  replay: 'idempotency keys and short-lived tokens',
  'token-theft': 'short-lived access tokens and rotating refresh tokens with reuse detection',
  enumeration: 'uniform responses that do not reveal which records or accounts exist',
  clickjacking: 'frame-ancestors denied',
  'path-traversal': 'file paths never built from user input',
  xxe: 'XML external entities disabled',
  'card-testing': 'velocity limits on payment attempts',
};

const ACCESS = { yes: 'yes', own: 'own records', no: 'no' } as const;

/**
 * "Security Considerations": authentication protocol, authorization model and roles, encryption of
 * sensitive fields (algorithm and key source) and in transit, protections; then the access matrix
 * (roles × endpoints), the compliance matrix per standard and the STRIDE threat model per component.
 */
export function securityConsiderations(report: DesignReport): Block[] {
  const { model } = report;
  const s = model.security;
  const items: Inline[][] = [
    ['Authentication using ', strong(model.api.auth.method), `: ${AUTH_METHOD[model.api.auth.method]}.`],
    ['Authorization model based on ', strong(s.authz), ` (${AUTHZ[s.authz]}); roles: `, ...joined(s.roles.map((r) => [strong(r.name), ` (${r.permissions.map((p) => p.text).join(', ')})`]), '; '), '.'],
    encryptionItem(model),
    ['Protection against ', ...joined(s.protections.map((p) => [strong(p), ` (${PROTECTION[p]})`]), '; '), '.'],
  ];
  return [
    heading(2, 'Security Considerations'),
    list(items),
    heading(3, 'Access matrix'),
    paragraph('Who may call each endpoint: ', code('own records'), ' means the role reaches only the records it owns.'),
    table(['Endpoint', 'Public', ...report.access.roles], report.access.rows.map((r) => [
      [code(endpointPath(model, r.endpoint))], [r.public ? 'yes' : 'no'], ...report.access.roles.map((role) => [ACCESS[r.access[role] ?? 'no']]),
    ])),
    ...complianceSection(report),
    ...threatModelSection(report),
  ];
}

function encryptionItem(model: SystemModel): Inline[] {
  const { encryption, piiRoles } = model.security;
  const pii = model.entities.flatMap((e) => e.fields.filter((f) => f.pii || f.sensitive).map((f) => ({ name: `${e.name}.${f.name}`, encrypted: f.encrypted })));
  const clear = pii.filter((f) => !f.encrypted).map((f) => f.name);
  const transit = `; ${encryption.inTransit.replace('tls', 'TLS ')} in transit`;
  const head: Inline[] = encryption.fields.length
    ? ['Data encryption for ', ...codes(encryption.fields), ' using ', strong(encryption.algorithm), ' with the key from ', code(encryption.key), transit]
    : ['Data encryption: no field is encrypted at rest (', strong(encryption.algorithm), ' with the key from ', code(encryption.key), ' is configured)', transit];
  const redact = model.observability.logs.redact;
  const tail: Inline[] = pii.length
    ? [`. The ${pii.length} personal and sensitive fields are visible only to ${words(piiRoles, 'no role')}` + (redact === 'none' ? ' and are not redacted from logs' : ` and are redacted from logs (${redact})`),
      ...(clear.length ? ['; stored in clear: ', ...codes(clear), '.'] : ['; all of them are encrypted at rest.'])]
    : ['.'];
  return [...head, ...tail];
}
