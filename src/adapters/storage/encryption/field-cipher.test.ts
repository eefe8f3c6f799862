import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldDecryptionError } from '../storage-errors.ts';
import { createFieldCipher, FIELD_ALGORITHMS } from './field-cipher.ts';
import { derivedKeyId, KeyringFormatError, parseKeyring } from './keyring.ts';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

describe('parseKeyring', () => {
  it('reads one key, giving it an id derived from the key, and several with ids, current first', () => {
    const [only] = parseKeyring(`${keyA}\n`);
    expect(only!.key).toEqual(Buffer.from(keyA, 'base64'));
    expect(only!.id).toBe(derivedKeyId(Buffer.from(keyA, 'base64')));
    expect(only!.id).toMatch(/^k[0-9a-f]{10}$/);
    expect(parseKeyring(`new:${keyB}, ${keyA}`).map((k) => k.id)).toEqual(['new', only!.id]);
    expect(parseKeyring(`b:${keyB}\na:${Buffer.from(keyA, 'base64').toString('base64url')}`).map((k) => k.id)).toEqual(['b', 'a']);
  });

  it('refuses wrong lengths, bad base64, bad or repeated ids and repeated keys without echoing key material', () => {
    const refuse = (setting: string, message: RegExp) => {
      expect(() => parseKeyring(setting)).toThrow(KeyringFormatError);
      expect(() => parseKeyring(setting)).toThrow(message);
      try { parseKeyring(setting); } catch (e) { expect((e as Error).message).not.toContain(keyA.slice(0, 12)); }
    };
    refuse('', /holds no key/);
    refuse(randomBytes(16).toString('base64'), /the key is not base64 of 32 bytes \(it decodes to 16\)/);
    refuse('not base64 at all!', /is not base64 of 32 bytes/);
    refuse(`${keyA},x y:${keyB}`, /key 2 of 3|ids are/);
    refuse(`a.b:${keyA}`, /has the id "a\.b"; ids are 1-32 letters/);
    refuse(`a:${keyA},a:${keyB}`, /the key id "a" appears twice/);
    refuse(`a:${keyA},b:${keyA}`, /keys 1 and 2 are the same key/);
  });
});

describe.each(FIELD_ALGORITHMS)('createFieldCipher (%s)', (algorithm) => {
  const cipher = createFieldCipher(parseKeyring(`a:${keyA}`), algorithm);

  it('round-trips text in a versioned envelope naming the key, with a fresh IV each time', () => {
    const one = cipher.encrypt('ada@example.com', 'User.email');
    const two = cipher.encrypt('ada@example.com', 'User.email');
    expect(one).toMatch(/^v1\.(A256GCM|C20P)\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(one).not.toBe(two);
    expect(one).not.toContain('ada@example.com');
    expect(cipher.decrypt(one, 'User.email')).toBe('ada@example.com');
    expect(cipher.decrypt(cipher.encrypt('', 'User.name'), 'User.name')).toBe('');
    expect(cipher.decrypt(cipher.encrypt('Zoë 🚀', 'User.name'), 'User.name')).toBe('Zoë 🚀');
    expect(cipher.keyIdOf(one)).toBe('a');
    expect(cipher.isCurrent(one)).toBe(true);
    expect(cipher.keyIdOf('ada@example.com')).toBeUndefined();
  });

  it('fails to decrypt a value moved to another field (the context is authenticated)', () => {
    const email = cipher.encrypt('ada@example.com', 'User.email');
    expect(() => cipher.decrypt(email, 'User.name')).toThrow(/cannot decrypt User\.name: authentication failed under key id "a"/);
  });

  it('detects a flipped byte anywhere in the ciphertext, tag or IV', () => {
    const stored = cipher.encrypt('a secret note', 'VisitNote.plan');
    const [v, alg, id, iv, data] = stored.split('.');
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = bytes[at]! ^ 0x01;
      return bytes.toString('base64url');
    };
    for (const tampered of [[v, alg, id, iv, flip(data!, 0)], [v, alg, id, iv, flip(data!, Buffer.from(data!, 'base64url').length - 1)], [v, alg, id, flip(iv!, 5), data]]) {
      let error: unknown;
      try { cipher.decrypt(tampered.join('.'), 'VisitNote.plan'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(FieldDecryptionError);
      expect(error).toMatchObject({ reason: 'authentication_failed', keyId: 'a' });
    }
  });

  it('names a key id the keyring does not have, and reads values of an old key listed after the current one', () => {
    const old = cipher.encrypt('kept', 'User.name');
    const rotated = createFieldCipher(parseKeyring(`b:${keyB},a:${keyA}`), algorithm);
    expect(rotated.decrypt(old, 'User.name')).toBe('kept');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.keyIdOf(rotated.encrypt('new', 'User.name'))).toBe('b');
    const withoutA = createFieldCipher(parseKeyring(`b:${keyB}`), algorithm);
    expect(() => withoutA.decrypt(old, 'User.name')).toThrow(/encrypted under key id "a", which the keyring does not have \(it has b\)/);
    expect(() => withoutA.decrypt('v1.A256GCM.a.short', 'User.name')).toThrow(/not an encrypted value/);
  });

  it('computes deterministic blind indexes per key and context, revealing nothing of the value', () => {
    const rotated = createFieldCipher(parseKeyring(`b:${keyB},a:${keyA}`), algorithm);
    const index = cipher.blindIndex('ada@example.com', 'User.email');
    expect(index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cipher.blindIndex('ada@example.com', 'User.email')).toBe(index);
    expect(cipher.blindIndex('ada@example.com', 'Order.email')).not.toBe(index);
    expect(rotated.blindIndex('ada@example.com', 'User.email')).not.toBe(index);
    expect(rotated.blindIndexes('ada@example.com', 'User.email')).toEqual([rotated.blindIndex('ada@example.com', 'User.email'), index]);
  });
});

describe('changing the algorithm', () => {
  it('still reads values written under the other one, and reports them as not current', () => {
    const gcm = createFieldCipher(parseKeyring(`a:${keyA}`), 'aes-256-gcm');
    const chacha = createFieldCipher(parseKeyring(`a:${keyA}`), 'chacha20-poly1305');
    const stored = gcm.encrypt('x', 'User.name');
    expect(chacha.decrypt(stored, 'User.name')).toBe('x');
    expect(chacha.isCurrent(stored)).toBe(false);
  });
});
