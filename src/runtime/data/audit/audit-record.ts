import { createHash } from 'node:crypto';
import type { Entity } from '../../../model/system-model.ts';
import type { Row } from '../../../adapters/storage/storage.ts';

/**
 * One audit row and its place in the hash chain: what is hashed, how, and how record images are
 * masked. Shared by the writer (audited-storage.ts) and `archspec audit verify`, so both compute
 * exactly the same hash.
 */

/** What an audit row says happened to a record. */
export type AuditAction = 'create' | 'update' | 'delete';

/** The hashed content of an audit row (everything but `seq`, `prevHash` and `hash`). */
export interface AuditContent {
  /** When the write happened (ISO-8601, UTC). The chain's order is `seq` (commit order), not `at`. */
  at: string;
  /** `user:<id>`, `user:<id> apikey:<id>`, `anonymous`, `job:<name>`, `consumer:<c>/<event>` or `system`. */
  actor: string;
  action: AuditAction;
  entity: string;
  recordId: string;
  requestId: string | null;
  /** Canonical JSON of the masked record before the write (null for create). */
  before: string | null;
  /** Canonical JSON of the masked record after the write (null for a hard delete). */
  after: string | null;
}

/** A stored audit row. */
export interface AuditRow extends AuditContent {
  seq: number;
  prevHash: string;
  hash: string;
}

/** `prevHash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Replaces a masked value that is present. */
export const MASK = '***';
/** Replaces a masked value in an update's `after` image when it differs from the `before` image. */
export const MASK_CHANGED = '***(changed)';

/** Never in an image, whatever the model says (the sign-up body's password is not a record field, but be sure). */
const NEVER_LOGGED = new Set(['password']);

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives the
 * same text. For the values records hold (strings, finite numbers, booleans, null, arrays and
 * objects of those) this is the JSON Canonicalization Scheme of RFC 8785, since JavaScript's number
 * and string serialization is the one JCS prescribes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The row's hash: SHA-256 (hex) of the previous row's hash followed by the canonical JSON of this row's content. */
export function chainHash(prevHash: string, content: AuditContent): string {
  const { at, actor, action, entity, recordId, requestId, before, after } = content;
  return createHash('sha256').update(prevHash).update(canonicalJson({ at, actor, action, entity, recordId, requestId, before, after })).digest('hex');
}

/** Whether `field` of an entity is kept out of the audit log's images (pii, sensitive or encrypted). */
function masked(entity: Entity): Set<string> {
  return new Set(entity.fields.filter((f) => f.pii || f.sensitive || f.encrypted).map((f) => f.name));
}

const sameValue = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * A record as the audit log keeps it: pii, sensitive and encrypted fields become `"***"` (null stays
 * null, so clearing a value shows), and a password never appears. When `previous` is given (the
 * `after` image of an update) a masked field whose value differs from `previous` becomes
 * `"***(changed)"`: the log shows that it changed, never what it was or became.
 */
export function maskRecord(entity: Entity, record: Row, previous?: Row): Row {
  const hidden = masked(entity);
  const out: Row = {};
  for (const [name, value] of Object.entries(record)) {
    if (NEVER_LOGGED.has(name) || value === undefined) continue;
    if (!hidden.has(name) || value === null) out[name] = value;
    else out[name] = previous && !sameValue(previous[name], value) ? MASK_CHANGED : MASK;
  }
  return out;
}

/** The stored text of an image: canonical JSON, or null when there is none. */
export function imageText(image: Row | undefined): string | null {
  return image === undefined ? null : canonicalJson(image);
}
