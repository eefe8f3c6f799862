import type { ColumnKind, EncryptedColumn } from './schema-plan.ts';
import type { FieldCipher } from './storage.ts';
import { EncryptedFieldQueryError, FieldDecryptionError, FieldKeyUnavailableError } from './storage-errors.ts';

/**
 * Values of encrypted fields on their way into and out of their text columns: typed values are
 * written as canonical text (numbers as JavaScript prints them, booleans `true`/`false`, dates
 * `YYYY-MM-DD`, timestamps ISO-8601 UTC, JSON as JSON), encrypted, and parsed back to their type
 * on read. A stored value that is not in the cipher's format was written before the field was
 * encrypted and is read as plaintext (`archspec keys rotate` encrypts it). Without a cipher every
 * non-null value fails closed with FieldKeyUnavailableError.
 */

/** The canonical text of a typed value (what is encrypted, and what blind indexes are computed from). */
export function serializeValue(kind: ColumnKind, value: unknown): string {
  switch (kind) {
    case 'boolean': return value === true || value === 'true' || value === 1 ? 'true' : 'false';
    case 'integer':
    case 'real': {
      // "5" from a query string and 5 from a body must index alike.
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? String(n) : String(value);
    }
    case 'json': return JSON.stringify(value);
    case 'timestamp': {
      const d = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
    }
    case 'date': return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    default: return String(value);
  }
}

/** A value of `kind` from its text (also reads what a former typed column left when it became text). */
export function parseValue(kind: ColumnKind, text: string): unknown {
  switch (kind) {
    case 'boolean': return text === 'true' || text === '1' || text === 't';
    case 'integer':
    case 'real': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'timestamp': {
      // PostgreSQL prints a former timestamptz column as `2024-05-01 10:00:00+00` when it becomes text.
      const d = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
      return Number.isNaN(d.getTime()) ? text : d.toISOString();
    }
    default: return text;
  }
}

/** The text a blind index is computed from: emails trimmed and lower-cased, anything else exact. */
export function indexedText(column: EncryptedColumn, text: string): string {
  return column.caseInsensitive ? text.trim().toLowerCase() : text;
}

/** What a value of `column` is stored as: its ciphertext and, when the field has one, its blind index. */
export function sealValue(entity: string, column: EncryptedColumn, value: unknown, cipher: FieldCipher | undefined): { stored: string | null; index: string | null } {
  if (value === null || value === undefined) return { stored: null, index: null };
  if (!cipher) throw new FieldKeyUnavailableError(entity, column.field);
  const text = serializeValue(column.kind, value);
  return {
    stored: cipher.encrypt(text, column.context),
    index: column.blindIndex ? cipher.blindIndex(indexedText(column, text), column.context) : null,
  };
}

/** The API value of a stored value of `column`; `record` names the row for error messages (`User 42`). */
export function openValue(entity: string, column: EncryptedColumn, stored: unknown, cipher: FieldCipher | undefined, record: () => string): unknown {
  if (stored === null || stored === undefined) return null;
  if (!cipher) throw new FieldKeyUnavailableError(entity, column.field);
  const text = String(stored);
  if (cipher.keyIdOf(text) === undefined) return parseValue(column.kind, text);
  try {
    return parseValue(column.kind, cipher.decrypt(text, column.context));
  } catch (e) {
    throw e instanceof FieldDecryptionError ? e.of(record()) : e;
  }
}

/** The blind indexes that match any of `values` (under every key of the keyring), for equality lookups. */
export function lookupIndexes(entity: string, column: EncryptedColumn, values: readonly unknown[], cipher: FieldCipher | undefined): string[] {
  if (!column.blindIndex) {
    throw new EncryptedFieldQueryError(entity, column.field, 'only encrypted fields that are unique or filterable can be matched (they get a blind index); mark it filterable');
  }
  if (!cipher) throw new FieldKeyUnavailableError(entity, column.field);
  return [...new Set(values.flatMap((v) => cipher.blindIndexes(indexedText(column, serializeValue(column.kind, v)), column.context)))];
}
