import { sql, type RawBuilder } from 'kysely';
import type { FieldCipher, Filter, ListQuery } from './storage.ts';
import type { StorageEngine } from './storage-engine.ts';
import type { ColumnKind, EncryptedColumn, EntityLayout } from './schema-plan.ts';
import { EncryptedFieldQueryError, InvalidCursorError } from './storage-errors.ts';
import { lookupIndexes } from './encrypted-columns.ts';

type Expr = RawBuilder<unknown>;
type Bool = RawBuilder<boolean>;

const TRUE: Bool = sql<boolean>`1 = 1`;
const FALSE: Bool = sql<boolean>`1 = 0`;
const and = (xs: Bool[]): Bool => (xs.length === 0 ? TRUE : xs.length === 1 ? xs[0]! : sql<boolean>`(${sql.join(xs, sql` and `)})`);
const or = (xs: Bool[]): Bool => (xs.length === 0 ? FALSE : xs.length === 1 ? xs[0]! : sql<boolean>`(${sql.join(xs, sql` or `)})`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` can be stored in a column of `kind` at all (a malformed id simply matches nothing). */
export function matchable(kind: ColumnKind, value: unknown): boolean {
  if (kind === 'uuid') return typeof value === 'string' && UUID.test(value);
  if (kind === 'integer') return Number.isSafeInteger(typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
  return true;
}

/** One sort key: a column, its direction, and whether it can hold nulls. */
export interface SortKey {
  column: string;
  kind: ColumnKind;
  direction: 'asc' | 'desc';
  nullable: boolean;
}

/** The sort keys of a query: the requested ones, then the id (ascending) as the tie-breaker. */
export function sortKeys(layout: EntityLayout, sort: ListQuery['sort'] = []): SortKey[] {
  const keys = sort.filter((s) => s.field !== layout.id.name).map((s) => {
    if (layout.encrypted.has(s.field)) throw new EncryptedFieldQueryError(layout.entity.name, s.field, 'it cannot be sorted by (ciphertext has no order)');
    const c = layout.columns.get(s.field);
    if (!c) throw new Error(`cannot sort ${layout.entity.name} by ${s.field}`);
    return { column: c.name, kind: c.kind, direction: s.direction, nullable: !c.notNull };
  });
  const idDirection = sort.find((s) => s.field === layout.id.name)?.direction ?? 'asc';
  return [...keys, { column: layout.id.name, kind: layout.id.kind, direction: idDirection, nullable: false }];
}

/** ORDER BY items; nulls sort last ascending and first descending on every engine. */
export function orderBy(engine: StorageEngine, keys: SortKey[]): Expr {
  return sql.join(keys.map((k) => sql`${engine.comparable(k.kind, sql.ref(k.column))} ${sql.raw(k.direction === 'asc' ? 'asc nulls last' : 'desc nulls first')}`));
}

const signature = (keys: SortKey[]) => keys.map((k) => `${k.column}:${k.direction}`).join(',');

/** The opaque cursor after `row`: base64url JSON of the sort signature and the row's sort values. */
export function encodeCursor(keys: SortKey[], row: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ s: signature(keys), v: keys.map((k) => row[k.column] ?? null) })).toString('base64url');
}

function decodeCursor(keys: SortKey[], cursor: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const c = parsed as { s?: unknown; v?: unknown };
  if (c?.s !== signature(keys) || !Array.isArray(c.v) || c.v.length !== keys.length) throw new InvalidCursorError();
  return c.v;
}

/**
 * Keyset predicate: rows strictly after the cursor's position in the sort order, as
 * OR_i (k_1 = c_1 AND ... AND k_{i-1} = c_{i-1} AND k_i after c_i), null-aware so nullable keys page
 * exactly like ORDER BY orders them. Cursor values are stored column values, bound as they are.
 */
export function afterCursor(engine: StorageEngine, keys: SortKey[], cursor: string): Bool {
  const values = decodeCursor(keys, cursor);
  const terms: Bool[] = [];
  const equal: Bool[] = [];
  keys.forEach((k, i) => {
    const v = values[i];
    const col = engine.comparable(k.kind, sql.ref(k.column));
    const val = engine.comparable(k.kind, sql.val(v));
    const op = sql.raw(k.direction === 'asc' ? '>' : '<');
    let after: Bool;
    let same: Bool;
    if (v === null) {
      if (!k.nullable) throw new InvalidCursorError();
      after = k.direction === 'asc' ? FALSE : sql<boolean>`${sql.ref(k.column)} is not null`;
      same = sql<boolean>`${sql.ref(k.column)} is null`;
    } else {
      after = sql<boolean>`${col} ${op} ${val}`;
      if (k.nullable && k.direction === 'asc') after = or([after, sql<boolean>`${sql.ref(k.column)} is null`]);
      same = sql<boolean>`${col} = ${val}`;
    }
    terms.push(and([...equal, after]));
    equal.push(same);
  });
  return or(terms);
}

/**
 * A filter on an encrypted field, answered by its blind index: `eq`, `ne` and `in` compare the
 * blind indexes of the wanted values under every key of the keyring; `isNull` tests the column.
 * Order and substrings are not kept by ciphertext, so other operators throw.
 */
function encryptedPredicate(layout: EntityLayout, column: EncryptedColumn, f: Filter, cipher: FieldCipher | undefined): Bool {
  const ref = sql.ref(`${layout.table}.${column.field}`);
  const matches = (values: unknown[]): Bool => {
    const indexes = lookupIndexes(layout.entity.name, column, values, cipher);
    return indexes.length ? sql<boolean>`${sql.ref(`${layout.table}.${column.blindIndex!}`)} in (${sql.join(indexes)})` : FALSE;
  };
  switch (f.op) {
    case 'isNull':
      return f.value ? sql<boolean>`${ref} is null` : sql<boolean>`${ref} is not null`;
    case 'eq':
      return f.value === null ? sql<boolean>`${ref} is null` : matches([f.value]);
    case 'in':
      return matches((Array.isArray(f.value) ? f.value : [f.value]).filter((v) => v !== null));
    case 'ne':
      return f.value === null ? sql<boolean>`${ref} is not null` : sql<boolean>`(${ref} is null or not (${matches([f.value])}))`;
    default:
      throw new EncryptedFieldQueryError(layout.entity.name, f.field, `the ${f.op} filter needs order or substrings, which ciphertext does not keep; filter it by equality (eq, ne, in)`);
  }
}

/**
 * One filter as a SQL predicate over the entity table (many-to-many fields test their join table,
 * encrypted fields their blind index).
 */
export function filterPredicate(engine: StorageEngine, layout: EntityLayout, f: Filter, cipher?: FieldCipher): Bool {
  const encrypted = layout.encrypted.get(f.field);
  if (encrypted) return encryptedPredicate(layout, encrypted, f, cipher);
  const join = layout.joins.get(f.field);
  if (join) {
    const links = (extra: Bool) => sql<boolean>`exists (select 1 from ${sql.table(join.table)} j where j.${sql.id('sourceId')} = ${sql.ref(`${layout.table}.${layout.id.name}`)} and ${extra})`;
    const target = sql.ref('j.targetId');
    if (f.op === 'isNull') return f.value ? sql<boolean>`not ${links(TRUE)}` : links(TRUE);
    const values = f.op === 'eq' ? [f.value] : f.op === 'in' && Array.isArray(f.value) ? f.value : undefined;
    if (!values) throw new Error(`filter ${f.op} does not apply to the many-to-many field ${f.field}`);
    const ok = values.filter((v) => matchable(join.targetKind, v));
    return ok.length ? links(sql<boolean>`${target} in (${sql.join(ok.map((v) => engine.toDb(join.targetKind, v)))})`) : FALSE;
  }
  const c = layout.columns.get(f.field);
  if (!c) throw new Error(`cannot filter ${layout.entity.name} by ${f.field}`);
  const ref = sql.ref(`${layout.table}.${c.name}`);
  const col = engine.comparable(c.kind, ref);
  const val = (v: unknown) => engine.comparable(c.kind, sql.val(engine.toDb(c.kind, v)));
  switch (f.op) {
    case 'isNull':
      return f.value ? sql<boolean>`${ref} is null` : sql<boolean>`${ref} is not null`;
    case 'like':
      return engine.like(ref, String(f.value));
    case 'in': {
      const ok = (Array.isArray(f.value) ? f.value : [f.value]).filter((v) => v !== null && matchable(c.kind, v));
      return ok.length ? sql<boolean>`${col} in (${sql.join(ok.map(val))})` : FALSE;
    }
    case 'eq':
      if (f.value === null) return sql<boolean>`${ref} is null`;
      return matchable(c.kind, f.value) ? sql<boolean>`${col} = ${val(f.value)}` : FALSE;
    case 'ne':
      if (f.value === null) return sql<boolean>`${ref} is not null`;
      return matchable(c.kind, f.value) ? sql<boolean>`(${col} <> ${val(f.value)} or ${ref} is null)` : TRUE;
    default: {
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[f.op];
      if (!op) throw new Error(`unknown filter operator ${String(f.op)}`);
      return matchable(c.kind, f.value) ? sql<boolean>`${col} ${sql.raw(op)} ${val(f.value)}` : FALSE;
    }
  }
}

/** All predicates of a list query except the cursor: filters and, unless included, soft-deleted rows. */
export function listPredicate(engine: StorageEngine, layout: EntityLayout, query: Pick<ListQuery, 'filters' | 'includeDeleted'>, cipher?: FieldCipher): Bool {
  const parts = (query.filters ?? []).map((f) => filterPredicate(engine, layout, f, cipher));
  if (layout.entity.softDelete && !query.includeDeleted) parts.push(sql<boolean>`${sql.ref(`${layout.table}.deletedAt`)} is null`);
  return and(parts);
}
