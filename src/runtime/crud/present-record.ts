import type { Entity, SystemModel } from '../../model/system-model.ts';
import type { Row } from '../../adapters/storage/storage.ts';
import type { Caller } from '../auth/auth-contract.ts';
import { visibleFields } from '../auth/visible-fields.ts';
import { ownershipRule } from './ownership.ts';

/**
 * The response stage of generated endpoints: a record leaves the server with only the fields the
 * caller may see (PII to PII roles and the owner), narrowed to `fields` when the client asked.
 * Expanded references are presented the same way (see expand-references.ts).
 */

/** The weak ETag of a record version: `W/"3"`. */
export function etagOf(record: Row): string {
  return `W/"${String(record.version ?? 0)}"`;
}

/**
 * The version an If-Match header names, `'*'` for any version, or undefined when the header is not
 * an ETag this API issued (treated as stale by callers).
 */
export function versionFromIfMatch(header: string): number | '*' | undefined {
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^(?:W\/)?"(\d+)"$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Whether the caller owns `record` as far as its own columns tell (parent ownership is known to the caller of this). */
export function ownsBySelf(model: SystemModel, entity: Entity, record: Row, caller: Caller | undefined): boolean {
  if (!caller) return false;
  const rule = ownershipRule(model, entity);
  if (rule?.kind === 'owner-field') return String(record[rule.field]) === caller.userId;
  if (rule?.kind === 'self') return String(record[entity.id.field]) === caller.userId;
  return false;
}

/** Options of {@link presentRecord}. */
export interface PresentOptions {
  caller: Caller | undefined;
  /** Known ownership (e.g. a list scoped to the caller); otherwise derived from the record. */
  owned?: boolean;
  /** Fields the client asked for (the id is always included). */
  fields?: string[];
}

/** One record as the caller may see it. */
export function presentRecord(model: SystemModel, entity: Entity, record: Row, options: PresentOptions): Row {
  const isOwner = options.owned ?? ownsBySelf(model, entity, record, options.caller);
  const visible = visibleFields(model, entity, options.caller, isOwner);
  const wanted = options.fields ? new Set([entity.id.field, ...options.fields]) : undefined;
  const out: Row = {};
  for (const [key, value] of Object.entries(record)) {
    if (visible.has(key) && (!wanted || wanted.has(key))) out[key] = value;
  }
  return out;
}
