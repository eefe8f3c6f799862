import { createHmac } from 'node:crypto';

/**
 * The keyring behind field encryption: the key setting (`security.encryption.key`, read from the
 * environment or a file) holds one key or several, separated by commas or line breaks, each
 * `[id:]base64` of exactly 32 random bytes (`openssl rand -base64 32`). The first is the current
 * key (new values are encrypted under it); the others only decrypt, so a key is rotated by putting
 * the new one first, running `archspec keys rotate`, then dropping the old one. A key written
 * without an id gets a stable id derived from the key itself (`k` + 10 hex digits), so a
 * single-key setting can later be extended as `new:<base64>,<old base64>` without renaming.
 */

/** One key of the keyring. */
export interface FieldKey {
  /** Stored with every value encrypted under the key: letters, digits, `_` and `-`, at most 32. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** Bytes of a field key (AES-256 and ChaCha20 both take 256-bit keys). */
export const FIELD_KEY_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The key setting is malformed; the message says which entry and why, never any key material. */
export class KeyringFormatError extends Error {
  readonly code = 'keyring_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'KeyringFormatError';
  }
}

/** The id a key gets when the setting names none: `k` and 10 hex digits of an HMAC of the key (not reversible). */
export function derivedKeyId(key: Buffer): string {
  return `k${createHmac('sha256', key).update('archspec field key id').digest('hex').slice(0, 10)}`;
}

/**
 * Parses a key setting into the keyring, current key first.
 *
 * @throws KeyringFormatError for an empty setting, an entry that is not base64 of 32 bytes, a bad
 *   or repeated id, or the same key twice
 * @example
 * parseKeyring('2024:q8c...=,2023:Zm9v...=') // [{ id: '2024', key }, { id: '2023', key }]
 */
export function parseKeyring(setting: string): FieldKey[] {
  const entries = setting.split(/[\s,]+/).filter(Boolean);
  if (!entries.length) throw new KeyringFormatError('holds no key');
  const keys: FieldKey[] = [];
  entries.forEach((entry, i) => {
    const where = entries.length === 1 ? 'the key' : `key ${i + 1} of ${entries.length}`;
    const colon = entry.indexOf(':');
    const explicitId = colon >= 0 ? entry.slice(0, colon) : undefined;
    const text = colon >= 0 ? entry.slice(colon + 1) : entry;
    if (explicitId !== undefined && !KEY_ID.test(explicitId)) {
      throw new KeyringFormatError(`${where} has the id "${explicitId.slice(0, 40)}"; ids are 1-32 letters, digits, _ or -`);
    }
    const key = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
    if (!key || key.length !== FIELD_KEY_BYTES) {
      throw new KeyringFormatError(`${where} is not base64 of ${FIELD_KEY_BYTES} bytes${key ? ` (it decodes to ${key.length})` : ''}`);
    }
    const id = explicitId ?? derivedKeyId(key);
    const same = keys.findIndex((k) => k.id === id || k.key.equals(key));
    if (same >= 0) {
      throw new KeyringFormatError(keys[same]!.id === id ? `the key id "${id}" appears twice` : `keys ${same + 1} and ${i + 1} are the same key`);
    }
    keys.push({ id, key });
  });
  return keys;
}
