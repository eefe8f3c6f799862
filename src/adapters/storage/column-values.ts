import type { ColumnKind } from './schema-plan.ts';

/**
 * A value as both engines store it: timestamps as ISO-8601 UTC, dates as YYYY-MM-DD, JSON as text
 * (pg would send a JS array as a PostgreSQL array literal), decimals as strings (no float rounding).
 * Engines handle what differs (SQLite's booleans) before calling this.
 */
export function toStoredValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'timestamp': {
      const d = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
    }
    case 'date': return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'json': return JSON.stringify(value);
    case 'decimal': return String(value);
    default: return value;
  }
}
