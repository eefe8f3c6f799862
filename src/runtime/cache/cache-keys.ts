import { createHash } from 'node:crypto';
import type { Endpoint, Entity, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import type { Caller } from '../auth/auth-contract.ts';
import { readScopeOf } from '../auth/authorize.ts';
import { ownershipRule } from '../crud/ownership.ts';

/**
 * Cache keys and tags. Keys name one entry; tags name what entries depend on (see the tag rules in
 * `adapters/cache/cache-store.ts`):
 *
 * - `rec:<Entity>:<id>`: one record, whoever reads it (visibility is applied after, per caller);
 *   tagged `r:<Entity>:<id>` (bumped when that record is written) and `c:<Entity>` (bumped when a
 *   delete elsewhere may have cascaded into records of the entity);
 * - `resp:<sha-256>`: one GET answer, hashed from method, path, canonical query and the caller
 *   dimension (so keys have one length and carry no query values or user ids in clear); tagged
 *   `e:<Entity>` for every entity the answer was computed from (bumped on every write of it);
 * - `h:<key>`: a value a handler stored with `ctx.cache`.
 */

/** The tag of every answer computed from records of `entity`. */
export const entityTag = (entity: string): string => `e:${entity}`;

/** The tag of one record. */
export const recordTag = (entity: Entity, id: unknown): string => `r:${entity.name}:${canonicalId(entity, id)}`;

/** The tag of every cached record of `entity`, bumped when a delete may have cascaded into them. */
export const referrerTag = (entity: string): string => `c:${entity}`;

/** The key of one cached record. */
export const recordKey = (entity: Entity, id: unknown): string => `rec:${entity.name}:${canonicalId(entity, id)}`;

/** The key of a value of `ctx.cache`. */
export const handlerKey = (key: string): string => `h:${key}`;

/**
 * One spelling per record id, so every way of addressing a record shares its entry and its tag:
 * integer ids as numbers (`07` -> `7`), UUIDs in lower case (PostgreSQL compares them so).
 */
export function canonicalId(entity: Entity, id: unknown): string {
  const text = String(id);
  if (entity.id.type === 'integer' && /^-?\d+$/.test(text.trim())) return String(Number(text));
  if (entity.id.type === 'uuid') return text.toLowerCase();
  return text;
}

/**
 * The query string in one order: parameters sorted by name (the values of a repeated parameter keep
 * their order), every value encoded the same way. `b=2&a=1` and `a=1&b=2` are one key.
 *
 * @example
 * canonicalQuery('sort=-title&limit=5') // 'limit=5&sort=-title'
 */
export function canonicalQuery(search: string): string {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  params.sort();
  return params.toString();
}

/** What an answer's key is made of. */
export interface ResponseKeyParts {
  method: string;
  /** The request path without the query. */
  path: string;
  /** The query string as received (canonicalized here). */
  query: string;
  /** From {@link callerDimension}. */
  caller: string;
}

/** The key of one cached answer. */
export function responseKey(parts: ResponseKeyParts): string {
  const text = `${parts.method.toUpperCase()} ${parts.path}?${canonicalQuery(parts.query)}\n${parts.caller}`;
  return `resp:${createHash('sha256').update(text).digest('base64url')}`;
}

/** What decides whether an answer depends on who asks. */
export interface CallerFacts {
  caller: Caller | undefined;
  /** The authorization decision's scope for this request (`own`: only the caller's records). */
  scope: 'own' | 'all';
  /** The reference fields named by `expand`. */
  expand: readonly string[];
}

/**
 * The part of an answer's key that tells callers apart, so one caller's answer is never served to
 * another who could see something else:
 *
 * - `anonymous` for requests without a caller (they see no personal data and no own records);
 * - `user:<id>;roles:<sorted roles>` whenever the answer can depend on the user: custom handlers
 *   (they see `ctx.user`), scope `own`, an entity with personal data (`pii`/`sensitive`) that a
 *   caller can own (owners see their own), an expansion into such an entity or one the caller may
 *   read only its own records of;
 * - otherwise `roles:<sorted roles>`: everything in the answer follows from the role set alone
 *   (authorization, scope `all`, PII visibility through `security.piiRoles`, expand permissions).
 *
 * @example
 * callerDimension(model, getProducts, { caller: undefined, scope: 'all', expand: [] })   // 'anonymous'
 * callerDimension(model, listLinks, { caller: alice, scope: 'own', expand: [] })        // 'user:u1;roles:user'
 */
export function callerDimension(model: SystemModel, endpoint: Endpoint, facts: CallerFacts): string {
  const { caller } = facts;
  if (!caller) return 'anonymous';
  const roles = `roles:${[...new Set(caller.roles)].sort().join(',')}`;
  const perUser = `user:${caller.userId};${roles}`;
  if (endpoint.operation === 'custom' || !endpoint.entity || facts.scope === 'own') return perUser;
  const entity = entityOf(model, endpoint.entity);
  if (ownablePersonalData(model, entity)) return perUser;
  for (const name of facts.expand) {
    const target = entity.fields.find((f) => f.name === name)?.ref?.entity;
    if (!target) continue;
    if (ownablePersonalData(model, entityOf(model, target)) || readScopeOf(model, target, caller) !== 'all') return perUser;
  }
  return roles;
}

/** Whether some caller may see more of a record of `entity` than another with the same roles (its owner sees its PII). */
function ownablePersonalData(model: SystemModel, entity: Entity): boolean {
  return entity.fields.some((f) => f.pii || f.sensitive) && ownershipRule(model, entity) !== undefined;
}
