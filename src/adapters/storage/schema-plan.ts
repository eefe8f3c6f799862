import { createHash } from 'node:crypto';
import type { Entity, Field, SystemModel } from '../../model/system-model.ts';
import type { StorageEngineName } from './storage.ts';
import { systemTables } from './system-tables/system-tables.ts';
import { serializeValue } from './encrypted-columns.ts';

/** How a column's values are converted between the API and the database. */
export type ColumnKind = 'uuid' | 'text' | 'integer' | 'real' | 'decimal' | 'boolean' | 'timestamp' | 'date' | 'json';

/** One column as the model wants it. `sqlType` is both the DDL type and what introspection reports. */
export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  sqlType: string;
  notNull: boolean;
  default?: string | number | boolean;
  primaryKey?: boolean;
  autoIncrement?: boolean;
  references?: { table: string; column: string; onDelete: 'cascade' | 'restrict' | 'set null' };
}

export interface IndexPlan {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface TablePlan {
  name: string;
  columns: ColumnPlan[];
  indexes: IndexPlan[];
}

/** A many-to-many field: rows `(sourceId, targetId)` in `table`. */
export interface JoinLayout {
  field: string;
  table: string;
  target: string;
  targetKind: ColumnKind;
}

/**
 * A field encrypted at rest: its column is text holding ciphertext (see FieldCipher in
 * storage.ts); `kind` is how its values are typed on the API side.
 */
export interface EncryptedColumn {
  field: string;
  /** `Entity.field`: authenticated with every value, so a value copied to another column fails to decrypt. */
  context: string;
  /** The kind of the field's values (the column itself is text). */
  kind: ColumnKind;
  /** Email fields are indexed trimmed and lower-cased, so lookups and uniqueness ignore case. */
  caseInsensitive: boolean;
  /** The blind index column (`_bidx_<field>`), for fields that are unique or looked up by equality. */
  blindIndex?: string;
}

/** Where and how one entity's records are stored (what the record store needs to build queries). */
export interface EntityLayout {
  entity: Entity;
  table: string;
  id: ColumnPlan;
  /** Columns of the entity table by name: the id, single-valued fields and the server columns (not blind indexes). */
  columns: Map<string, ColumnPlan>;
  /** Model fields stored in the entity table (id and many-to-many fields excluded). */
  fields: string[];
  joins: Map<string, JoinLayout>;
  /** Fields encrypted at rest, by name. */
  encrypted: Map<string, EncryptedColumn>;
}

/** The whole desired schema; `checksum` identifies it in the migration history. */
export interface SchemaPlan {
  engine: StorageEngineName;
  tables: TablePlan[];
  layouts: Map<string, EntityLayout>;
  checksum: string;
}

const SQL_TYPES: Record<StorageEngineName, Record<ColumnKind, string>> = {
  // SQLite keeps decimals as text (exact) and timestamps as ISO-8601 text (sorts chronologically).
  sqlite: { uuid: 'text', text: 'text', integer: 'integer', real: 'real', decimal: 'text', boolean: 'integer', timestamp: 'text', date: 'text', json: 'text' },
  postgres: { uuid: 'uuid', text: 'text', integer: 'int8', real: 'float8', decimal: 'numeric', boolean: 'bool', timestamp: 'timestamptz', date: 'date', json: 'jsonb' },
};

const SCALAR_KINDS: Record<Exclude<Field['type'], 'ref'>, ColumnKind> = {
  string: 'text', text: 'text', email: 'text', url: 'text', enum: 'text', uuid: 'uuid', integer: 'integer',
  number: 'real', decimal: 'decimal', boolean: 'boolean', timestamp: 'timestamp', date: 'date', json: 'json',
};

const ID_KINDS: Record<Entity['id']['type'], ColumnKind> = { uuid: 'uuid', integer: 'integer', string: 'text' };

/** The blind index column of an encrypted field (a leading underscore: never a model field name). */
export const blindIndexColumn = (field: string): string => `_bidx_${field}`;

/**
 * Whether an encrypted field needs a blind index: it is unique, filterable, a declared query
 * parameter of one of the entity's endpoints, or the email password login looks accounts up by.
 */
function lookedUp(model: SystemModel, entity: Entity, f: Field): boolean {
  if (f.unique || f.filterable) return true;
  if (entity.name === model.api.auth.userEntity && f.name === 'email') return true;
  return model.api.endpoints.some((e) => e.entity === entity.name && e.query.some((q) => q.name === f.name));
}

/** A column of `kind` with the engine's SQL type. */
export function column(engine: StorageEngineName, name: string, kind: ColumnKind, rest: Omit<ColumnPlan, 'name' | 'kind' | 'sqlType'>): ColumnPlan {
  return { name, kind, sqlType: SQL_TYPES[engine][kind], ...rest };
}

/** An index or constraint name unique in the database and within PostgreSQL's 63-byte identifier limit. */
export function constraintName(prefix: 'ix' | 'ux' | 'fk' | 'pk', table: string, columns: string[]): string {
  const name = `${prefix}_${table}_${columns.join('_')}`;
  return name.length <= 63 ? name : `${name.slice(0, 54)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * The schema a model needs on one engine: a table per entity (id, fields, `version`, timestamps,
 * `deletedAt`), a join table `<Entity>_<field>` per many-to-many field, indexes for references and
 * filterable fields, unique indexes, foreign keys with the declared delete behaviour, and
 * archspec's own `_archspec_*` tables. Encrypted fields are text columns without an index of their
 * own; those looked up by equality get a blind index column `_bidx_<field>` carrying their index
 * (unique for unique fields). The plan does not depend on the key: migrating needs none.
 *
 * @example
 * const plan = planSchema(model, 'sqlite'); // plan.tables -> DDL, plan.layouts -> queries
 */
export function planSchema(model: SystemModel, engine: StorageEngineName): SchemaPlan {
  const ids = new Map(model.entities.map((e) => [e.name, e.id]));
  const tables: TablePlan[] = [];
  const layouts = new Map<string, EntityLayout>();
  for (const entity of model.entities) {
    const table = entity.name;
    const id = column(engine, entity.id.field, ID_KINDS[entity.id.type], { notNull: true, primaryKey: true, autoIncrement: entity.id.generate === 'serial' });
    const columns: ColumnPlan[] = [id];
    const indexes: IndexPlan[] = [];
    const joins = new Map<string, JoinLayout>();
    const encrypted = new Map<string, EncryptedColumn>();
    for (const f of entity.fields) {
      if (f.encrypted) {
        // A reference is an id under a foreign key; ciphertext could not be either.
        if (f.ref) throw new Error(`${entity.name}.${f.name} is a reference and cannot be encrypted at rest; remove it from the encrypted-at-rest rule`);
        const kind = SCALAR_KINDS[f.type as Exclude<Field['type'], 'ref'>];
        const enc: EncryptedColumn = { field: f.name, context: `${entity.name}.${f.name}`, kind, caseInsensitive: f.type === 'email' };
        // The default is kept as plaintext text: rows that exist when the column is added read it as plaintext until `keys rotate`.
        const fallback = f.default === undefined || kind === 'timestamp' || kind === 'json' ? {} : { default: serializeValue(kind, f.default) };
        columns.push(column(engine, f.name, 'text', { notNull: f.required, ...fallback }));
        if (lookedUp(model, entity, f)) {
          enc.blindIndex = blindIndexColumn(f.name);
          columns.push(column(engine, enc.blindIndex, 'text', { notNull: false }));
          indexes.push({ name: constraintName(f.unique ? 'ux' : 'ix', table, [enc.blindIndex]), columns: [enc.blindIndex], unique: f.unique });
        }
        encrypted.set(f.name, enc);
        continue;
      }
      if (f.ref) {
        const target = ids.get(f.ref.entity);
        if (!target) throw new Error(`${entity.name}.${f.name} refers to unknown entity ${f.ref.entity}`);
        const targetKind = ID_KINDS[target.type];
        if (f.ref.many) {
          const join = `${entity.name}_${f.name}`;
          joins.set(f.name, { field: f.name, table: join, target: f.ref.entity, targetKind });
          tables.push({
            name: join,
            columns: [
              column(engine, 'sourceId', id.kind, { notNull: true, primaryKey: true, references: { table, column: id.name, onDelete: 'cascade' } }),
              // A link cannot be nulled, so set-null removes the link like cascade does.
              column(engine, 'targetId', targetKind, { notNull: true, primaryKey: true, references: { table: f.ref.entity, column: target.field, onDelete: f.ref.onDelete === 'restrict' ? 'restrict' : 'cascade' } }),
            ],
            indexes: [{ name: constraintName('ix', join, ['targetId']), columns: ['targetId'], unique: false }],
          });
          continue;
        }
        columns.push(column(engine, f.name, targetKind, {
          notNull: f.required,
          references: { table: f.ref.entity, column: target.field, onDelete: f.ref.onDelete === 'set-null' ? 'set null' : f.ref.onDelete },
        }));
      } else {
        const kind = SCALAR_KINDS[f.type as Exclude<Field['type'], 'ref'>];
        columns.push(column(engine, f.name, kind, { notNull: f.required, ...dbDefault(kind, f.default) }));
      }
      if (f.unique) indexes.push({ name: constraintName('ux', table, [f.name]), columns: [f.name], unique: true });
      else if (f.ref || f.filterable) indexes.push({ name: constraintName('ix', table, [f.name]), columns: [f.name], unique: false });
    }
    columns.push(column(engine, 'version', 'integer', { notNull: true, default: 1 }));
    if (entity.timestamps) {
      columns.push(column(engine, 'createdAt', 'timestamp', { notNull: true }), column(engine, 'updatedAt', 'timestamp', { notNull: true }));
    }
    if (entity.softDelete) columns.push(column(engine, 'deletedAt', 'timestamp', { notNull: false }));
    tables.push({ name: table, columns, indexes });
    const indexColumns = new Set([...encrypted.values()].map((e) => e.blindIndex));
    layouts.set(entity.name, {
      entity, table, id, joins, encrypted,
      columns: new Map(columns.filter((c) => !indexColumns.has(c.name)).map((c) => [c.name, c])),
      fields: entity.fields.filter((f) => !f.ref?.many).map((f) => f.name),
    });
  }
  tables.push(...systemTables());
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const checksum = createHash('sha256').update(JSON.stringify(tables)).digest('hex').slice(0, 16);
  return { engine, tables, layouts, checksum };
}

/** The value existing rows get when a required column without a default is forced onto them. */
export function zeroValue(kind: ColumnKind): unknown {
  const zeros: Record<ColumnKind, unknown> = {
    uuid: '00000000-0000-0000-0000-000000000000', text: '', integer: 0, real: 0, decimal: '0', boolean: false,
    timestamp: '1970-01-01T00:00:00.000Z', date: '1970-01-01', json: {},
  };
  return zeros[kind];
}

/** A default the database can hold as a constant; `now`-style timestamp defaults are applied on insert. */
function dbDefault(kind: ColumnKind, value: Field['default']): { default?: string | number | boolean } {
  if (value === undefined || kind === 'timestamp' || kind === 'json') return {};
  if (kind === 'decimal') return { default: String(value) };
  return { default: value };
}
