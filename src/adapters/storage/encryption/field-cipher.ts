import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { FieldCipher } from '../storage.ts';
import { FieldDecryptionError } from '../storage-errors.ts';
import type { FieldKey } from './keyring.ts';

/**
 * Field encryption with node:crypto AEADs. A stored value is
 * `v1.<algorithm>.<key id>.<iv>.<ciphertext and tag>` (base64url parts): version 1, `A256GCM`
 * (AES-256-GCM) or `C20P` (ChaCha20-Poly1305), the id of the keyring key, a random 96-bit IV and
 * the ciphertext followed by the 128-bit authentication tag. The additional authenticated data
 * is the field's context (`Entity.field`), so a value copied into another column fails to
 * decrypt. Each keyring key is expanded with HKDF-SHA256 into an encryption key and a separate
 * blind-index key (HMAC-SHA256 of `context NUL normalized value`), so one key never serves two
 * purposes. Decryption follows the algorithm and key id written in the value, whatever the
 * current settings, so changing either is a rotation, not a loss.
 */

/** The algorithms of `security.encryption.algorithm`. */
export const FIELD_ALGORITHMS = ['aes-256-gcm', 'chacha20-poly1305'] as const;
export type FieldAlgorithm = (typeof FIELD_ALGORITHMS)[number];

const TAGS: Record<FieldAlgorithm, string> = { 'aes-256-gcm': 'A256GCM', 'chacha20-poly1305': 'C20P' };
const BY_TAG = new Map(Object.entries(TAGS).map(([algorithm, tag]) => [tag, algorithm as FieldAlgorithm]));
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** version . algorithm . key id . 16-char IV . at least the 22-char tag */
const ENVELOPE = /^v1\.([A-Z0-9]+)\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

interface DerivedKey {
  encryption: Buffer;
  index: Buffer;
}

// One call per algorithm: node's typings pick the AEAD overload from a literal algorithm name.
const sealer = (algorithm: FieldAlgorithm, key: Buffer, iv: Buffer) =>
  algorithm === 'aes-256-gcm' ? createCipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES }) : createCipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES });
const opener = (algorithm: FieldAlgorithm, key: Buffer, iv: Buffer) =>
  algorithm === 'aes-256-gcm' ? createDecipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES }) : createDecipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES });

function derive(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `archspec/${purpose}/v1`, 32));
}

/**
 * A {@link FieldCipher} over `keys` (current key first) encrypting with `algorithm`.
 *
 * @example
 * const cipher = createFieldCipher(parseKeyring(process.env.ARCHSPEC_KEY!), 'aes-256-gcm');
 * const stored = cipher.encrypt('ada@example.com', 'User.email'); // 'v1.A256GCM.k3f09c1a2b4.…'
 * cipher.decrypt(stored, 'User.email'); // 'ada@example.com'
 */
export function createFieldCipher(keys: readonly FieldKey[], algorithm: FieldAlgorithm): FieldCipher {
  if (!keys.length) throw new Error('a field cipher needs at least one key');
  if (!TAGS[algorithm]) throw new Error(`unknown field encryption algorithm "${String(algorithm)}"`);
  const derived = new Map<string, DerivedKey>(keys.map((k) => [k.id, { encryption: derive(k.key, 'field-encryption'), index: derive(k.key, 'blind-index') }]));
  const current = keys[0]!.id;
  const currentKey = derived.get(current)!;
  const tag = TAGS[algorithm];
  const ids = keys.map((k) => k.id);
  const hmac = (key: Buffer, normalized: string, context: string) => createHmac('sha256', key).update(`${context}\u0000${normalized}`).digest('base64url');

  return {
    currentKeyId: current,
    keyIds: ids,
    encrypt(text, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = sealer(algorithm, currentKey.encryption, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${tag}.${current}.${iv.toString('base64url')}.${data.toString('base64url')}`;
    },
    decrypt(stored, context) {
      const parts = ENVELOPE.exec(stored);
      const used = parts ? BY_TAG.get(parts[1]!) : undefined;
      if (!parts || !used) throw new FieldDecryptionError(context, 'the stored value is not an encrypted value archspec wrote', 'malformed');
      const keyId = parts[2]!;
      const key = derived.get(keyId);
      if (!key) {
        throw new FieldDecryptionError(context, `it is encrypted under key id "${keyId}", which the keyring does not have (it has ${ids.join(', ')}); add that key to the keyring`, 'unknown_key', keyId);
      }
      const iv = Buffer.from(parts[3]!, 'base64url');
      const data = Buffer.from(parts[4]!, 'base64url');
      if (iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new FieldDecryptionError(context, 'the stored value is truncated', 'malformed', keyId);
      try {
        const decipher = opener(used, key.encryption, iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new FieldDecryptionError(context, `authentication failed under key id "${keyId}": the value was altered, copied from another field, or the key with that id changed`, 'authentication_failed', keyId);
      }
    },
    keyIdOf(stored) {
      return ENVELOPE.exec(stored)?.[2];
    },
    isCurrent(stored) {
      const parts = ENVELOPE.exec(stored);
      return parts?.[1] === tag && parts[2] === current;
    },
    blindIndex(normalized, context) {
      return hmac(currentKey.index, normalized, context);
    },
    blindIndexes(normalized, context) {
      return ids.map((id) => hmac(derived.get(id)!.index, normalized, context));
    },
  };
}
