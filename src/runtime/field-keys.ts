import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FieldCipher, Storage } from '../adapters/storage/storage.ts';
import { sampleFieldKeys } from '../adapters/storage/encryption/key-rotation.ts';
import { createFieldCipher, FIELD_ALGORITHMS, type FieldAlgorithm } from '../adapters/storage/encryption/field-cipher.ts';
import { FIELD_KEY_BYTES, KeyringFormatError, parseKeyring } from '../adapters/storage/encryption/keyring.ts';
import type { SystemModel } from '../model/system-model.ts';
import { ConfigError } from './config-error.ts';

/**
 * The key of field encryption at rest, read the way `security.encryption.key` says: `env:NAME`
 * from the environment, `file:path` relative to the spec. It holds one key or a keyring (see
 * keyring.ts). Like the token secret, a missing key is generated once into
 * `<data folder>/encryption-key` (mode 600, with a warning) on the embedded database or with
 * `--dev`; anywhere else it is a ConfigError naming the variable or file.
 */

/** Where a generated development key is kept, in the data folder. */
export const GENERATED_KEY_FILE = 'encryption-key';

const HOW_TO_GENERATE = `\`openssl rand -base64 ${FIELD_KEY_BYTES}\``;

/** The model's encrypted fields as `Entity.field`. */
export function encryptedFieldsOf(model: SystemModel): string[] {
  return model.entities.flatMap((e) => e.fields.filter((f) => f.encrypted).map((f) => `${e.name}.${f.name}`));
}

/** What `security.encryption.key` names, for messages: the variable or the file. */
export function keySourceOf(model: SystemModel, specDir: string): { kind: 'env' | 'file'; name: string } {
  const reference = model.security.encryption.key;
  return reference.startsWith('env:') ? { kind: 'env', name: reference.slice(4) } : { kind: 'file', name: resolve(specDir, reference.replace(/^file:/, '')) };
}

function readKeySetting(source: { kind: 'env' | 'file'; name: string }, env: NodeJS.ProcessEnv): string | undefined {
  if (source.kind === 'env') return env[source.name]?.trim() || undefined;
  try {
    return readFileSync(source.name, 'utf8').trim() || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${source.name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (it holds the field encryption key)`, 'fix the file\'s permissions or security.encryption.key');
  }
}

/** The development key in the data folder, generated the first time. */
function generatedKey(dataDir: string, missing: string, warnings: string[]): string {
  const file = join(dataDir, GENERATED_KEY_FILE);
  if (existsSync(file)) {
    warnings.push(`${missing}; using the development encryption key in ${file}`);
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(FIELD_KEY_BYTES).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  warnings.push(`${missing}; generated a development encryption key into ${file} (set it in production, and keep it: encrypted fields cannot be read without it)`);
  return key;
}

/**
 * The field cipher of `model`, or undefined when no field is encrypted at rest.
 *
 * @param allowGenerated on the embedded database or with --dev: generate a missing key into the data folder
 * @throws ConfigError naming the variable or file when the key is missing (and may not be
 *   generated) or malformed (not base64 of 32 bytes, repeated ids), or for an unknown algorithm
 * @example
 * const cipher = fieldCipherOf(model, dirname(specFile), process.env, '.data', false, warnings);
 * const storage = await createStorage(model, { ...config, fieldCipher: cipher });
 */
export function fieldCipherOf(model: SystemModel, specDir: string, env: NodeJS.ProcessEnv, dataDir: string, allowGenerated: boolean, warnings: string[]): FieldCipher | undefined {
  const fields = encryptedFieldsOf(model);
  if (!fields.length) return undefined;
  const algorithm = model.security.encryption.algorithm;
  if (!(FIELD_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new ConfigError(`security.encryption.algorithm "${algorithm}" is not supported`, `use one of ${FIELD_ALGORITHMS.join(', ')}`);
  }
  const source = keySourceOf(model, specDir);
  const label = source.name;
  const purpose = `it encrypts ${fields.length > 3 ? `${fields.slice(0, 3).join(', ')} and ${fields.length - 3} more fields` : fields.join(', ')} at rest`;
  let setting = readKeySetting(source, env);
  if (setting === undefined) {
    const missing = source.kind === 'env' ? `${label} is not set` : `${label} does not exist`;
    if (!allowGenerated) {
      throw new ConfigError(`${missing} (${purpose})`, `${source.kind === 'env' ? `set ${label} to` : `write into ${label}`} a key made with ${HOW_TO_GENERATE}, and keep it safe: the encrypted data cannot be read without it`);
    }
    setting = generatedKey(dataDir, missing, warnings);
  }
  try {
    return createFieldCipher(parseKeyring(setting), algorithm as FieldAlgorithm);
  } catch (e) {
    if (!(e instanceof KeyringFormatError)) throw e;
    throw new ConfigError(`${label}: ${e.message}`, `a key is base64 of ${FIELD_KEY_BYTES} random bytes (${HOW_TO_GENERATE}); several are written id:key,id2:key2 with the current key first`);
  }
}

/**
 * Start-up look at a sample of the stored encrypted values: values under a key id the keyring
 * lacks stop the start (every read of them would fail), plaintext from before the field was
 * encrypted is a warning (it stays readable; `archspec keys rotate` encrypts it). Returns the warnings.
 *
 * @throws ConfigError naming the key ids, the fields holding them and the key setting
 */
export async function checkStoredFieldKeys(storage: Storage, model: SystemModel, cipher: FieldCipher, specDir: string, specFile: string): Promise<string[]> {
  const { unknownKeys, plaintext } = await sampleFieldKeys(storage, model, cipher);
  const source = keySourceOf(model, specDir).name;
  if (unknownKeys.size) {
    const [keyId, fields] = [...unknownKeys][0]!;
    throw new ConfigError(
      `${fields.join(', ')} ${fields.length === 1 ? 'holds' : 'hold'} values encrypted under key id "${keyId}", which ${source} does not have (it has ${cipher.keyIds.join(', ')})`,
      `put that key back into ${source} after the current one (${cipher.currentKeyId}:<current>,${keyId}:<old>), then run \`archspec keys rotate ${specFile}\``,
    );
  }
  return plaintext.length ? [`${plaintext.join(', ')} ${plaintext.length === 1 ? 'holds values stored before it was' : 'hold values stored before they were'} encrypted; run \`archspec keys rotate ${specFile}\` to encrypt them`] : [];
}
