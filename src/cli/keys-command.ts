import { dirname, resolve } from 'node:path';
import type { FieldCipher, Storage } from '../adapters/storage/storage.ts';
import { fieldKeyUsage, KeyRotationError, rotateFieldKeys, type FieldKeyUsage } from '../adapters/storage/encryption/key-rotation.ts';
import type { SystemModel } from '../model/system-model.ts';
import { encryptedFieldsOf, keySourceOf } from '../runtime/field-keys.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, openStorageWithKeys, unreachable } from './open-storage.ts';
import { CliError } from './run-command.ts';

/** Options of `archspec keys status|rotate`. */
export interface KeysOptions {
  /** Rows per transaction while rotating (default 500). */
  batchSize?: string;
  /** Generate a missing key into the data folder even with DATABASE_URL set (as `serve --dev`). */
  dev?: boolean;
}

const MAX_BATCH = 10_000;

/** What both subcommands share: the model, and the storage opened with the keyring. */
async function open(specFile: string, options: KeysOptions, env: NodeJS.ProcessEnv): Promise<{ model: SystemModel; storage: Storage; cipher: FieldCipher; where: string; source: string } | number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  if (!model) return 1;
  if (!encryptedFieldsOf(model).length) {
    process.stdout.write('No field is encrypted at rest (no encrypted-at-rest data rule): nothing to do.\n');
    return 0;
  }
  const { storage, config, fieldCipher } = await openStorageWithKeys(model, specFile, env, { dev: options.dev });
  try {
    if (!(await storage.isMigrated())) {
      throw new CliError(`${describeDatabase(config)} does not have the spec's schema yet`, `run \`archspec migrate ${specFile}\` (or start \`archspec serve\`) first`);
    }
  } catch (e) {
    await storage.close();
    throw unreachable(e, config);
  }
  return { model, storage, cipher: fieldCipher!, where: describeDatabase(config), source: keySourceOf(model, dirname(resolve(specFile))).name };
}

function keysLine(usage: FieldKeyUsage, current: string): string {
  const parts = Object.entries(usage.keys).map(([id, n]) => `${n} under ${id}${id === current ? ' (current)' : usage.unknownKeys.includes(id) ? ' (NOT IN THE KEYRING: unreadable)' : ''}`);
  if (usage.plaintext) parts.push(`${usage.plaintext} plaintext (stored before encryption)`);
  return `  ${usage.entity}.${usage.field}: ${parts.length ? parts.join(', ') : 'no values'}`;
}

/**
 * `archspec keys status <spec>`: how many stored values of each encrypted field each key id of
 * the keyring holds (and how many are still plaintext), so you know when an old key can leave
 * the keyring. Exit 0; 1 for spec errors; 2 for a missing or malformed key, an unreachable or
 * unmigrated database.
 */
export async function keysStatusCommand(specFile: string, options: KeysOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const opened = await open(specFile, options, env);
  if (typeof opened === 'number') return opened;
  const { model, storage, cipher, where, source } = opened;
  try {
    const usage = await fieldKeyUsage(storage, model, cipher);
    process.stdout.write(`${where}, keyring from ${source}: ${cipher.keyIds.map((id, i) => (i === 0 ? `${id} (current)` : id)).join(', ')}\n`);
    for (const u of usage) process.stdout.write(`${keysLine(u, cipher.currentKeyId)}\n`);
    const behind = usage.filter((u) => u.plaintext > 0 || Object.keys(u.keys).some((id) => id !== cipher.currentKeyId));
    const unused = cipher.keyIds.slice(1).filter((id) => !usage.some((u) => u.keys[id]));
    if (behind.length) process.stdout.write(`${behind.length} field(s) hold values not under the current key: run \`archspec keys rotate ${specFile}\`.\n`);
    else process.stdout.write(`Every value is under the current key ${cipher.currentKeyId}.\n`);
    if (unused.length) process.stdout.write(`No value is under ${unused.join(', ')}: ${unused.length === 1 ? 'it' : 'they'} can be removed from ${source}.\n`);
    return 0;
  } finally {
    await storage.close();
  }
}

/**
 * `archspec keys rotate <spec> [--batch-size n]`: re-encrypts every value not under the current
 * key (plaintext ones too) and writes missing blind indexes, in batches, each its own
 * transaction; prints what it did per entity. Idempotent and resumable. Exit 0 when done; 1 for
 * spec errors; 2 for a missing or malformed key, a value under a key the keyring lacks (batches
 * before it stay done), an unreachable or unmigrated database.
 */
export async function keysRotateCommand(specFile: string, options: KeysOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const batchSize = options.batchSize === undefined ? undefined : Number(options.batchSize);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)) {
    throw new CliError(`--batch-size "${options.batchSize}" is not a whole number from 1 to ${MAX_BATCH}`, 'pass --batch-size 500');
  }
  const opened = await open(specFile, options, env);
  if (typeof opened === 'number') return opened;
  const { model, storage, cipher, where, source } = opened;
  try {
    process.stdout.write(`${where}: re-encrypting under ${cipher.currentKeyId}, the current key of ${source}\n`);
    const counts = await rotateFieldKeys(storage, model, cipher, { ...(batchSize ? { batchSize } : {}) });
    for (const c of counts) {
      const plain = c.plaintext ? ` (${c.plaintext} of them plaintext)` : '';
      process.stdout.write(`  ${c.entity}: ${c.rows} rows read, ${c.updated} updated: ${c.reencrypted} values re-encrypted${plain}, ${c.indexes} blind indexes written\n`);
    }
    process.stdout.write(`Done: every encrypted value is under ${cipher.currentKeyId}. Check with \`archspec keys status ${specFile}\`, then remove old keys from ${source}.\n`);
    return 0;
  } catch (e) {
    if (e instanceof KeyRotationError) throw new CliError(e.message, `add the missing key to ${source} after the current one and run again (batches already done stay done)`, { cause: e });
    throw e;
  } finally {
    await storage.close();
  }
}
