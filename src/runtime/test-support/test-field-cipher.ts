import type { FieldCipher } from '../../adapters/storage/storage.ts';
import { createFieldCipher, type FieldAlgorithm } from '../../adapters/storage/encryption/field-cipher.ts';
import { parseKeyring } from '../../adapters/storage/encryption/keyring.ts';

/** A fixed test key (base64 of 32 bytes) with the id `test`. Never use it outside tests. */
export const TEST_FIELD_KEY = 'test:dGVzdCBmaWVsZCBlbmNyeXB0aW9uIGtleSAzMiBieXQ=';

/**
 * A field cipher for tests that open a storage directly (`createStorage(model, { ..., fieldCipher:
 * testFieldCipher() })`): models with encrypted fields fail closed without one.
 */
export function testFieldCipher(keys: string = TEST_FIELD_KEY, algorithm: FieldAlgorithm = 'aes-256-gcm'): FieldCipher {
  return createFieldCipher(parseKeyring(keys), algorithm);
}
