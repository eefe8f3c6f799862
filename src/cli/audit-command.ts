import { sql } from 'kysely';
import type { Storage } from '../adapters/storage/storage.ts';
import type { SystemModel } from '../model/system-model.ts';
import { AUDIT_TABLE } from '../adapters/storage/system-tables/audit-tables.ts';
import type { AuditRow } from '../runtime/data/audit/audit-record.ts';
import { listAudit, verifyChain } from '../runtime/data/audit/audit-verify.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, openStorage, unreachable } from './open-storage.ts';
import { CliError } from './run-command.ts';

/** Options of `archspec audit verify`. */
export interface AuditVerifyOptions {
  /** A head hash recorded earlier: it must still be in the chain (detects removed newest rows). */
  expectHead?: string;
}

/** Options of `archspec audit list`. */
export interface AuditListOptions {
  entity?: string;
  id?: string;
  limit?: string;
  json?: boolean;
}

const HASH = /^[0-9a-f]{64}$/i;

/** Opens the database of `specFile` and runs `fn` on it; 1 for spec errors, a CliError when the log is missing. */
async function withAuditLog(specFile: string, env: NodeJS.ProcessEnv, fn: (storage: Storage, model: SystemModel) => Promise<number>): Promise<number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  if (!model) return 1;
  const { storage, config } = await openStorage(model, specFile, env);
  try {
    const probe = sql`select count(*) as n from ${sql.table(AUDIT_TABLE)} where 1 = 0`;
    await probe.execute(storage.kysely).catch((e: unknown) => {
      const reached = unreachable(e, config);
      if (reached !== e) throw reached;
      throw new CliError(`${describeDatabase(config)} has no audit log (${AUDIT_TABLE})`, `run \`archspec migrate ${specFile}\` (or serve it) first; check DATABASE_URL names the right database`);
    });
    return await fn(storage, model);
  } catch (e) {
    throw unreachable(e, config);
  } finally {
    await storage.close();
  }
}

/**
 * `archspec audit verify <spec>`: walks the audit log's hash chain in seq order and recomputes every
 * hash. Exit 0 with `audit chain intact: N rows, head <hash>`; exit 1 naming the first broken row
 * and why (altered, missing, reordered) or, with `--expect-head`, when that recorded head is no
 * longer in the chain (its newest rows were removed); 2 when the database cannot be read.
 */
export async function auditVerifyCommand(specFile: string, options: AuditVerifyOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (options.expectHead !== undefined && !HASH.test(options.expectHead)) {
    throw new CliError(`--expect-head ${options.expectHead} is not a head hash`, 'pass the 64 hexadecimal digits `archspec audit verify` printed as "head"');
  }
  return withAuditLog(specFile, env, async (storage) => {
    const report = await verifyChain(storage.kysely, options.expectHead ? { expectHead: options.expectHead } : {});
    if (report.broken && report.broken.reason !== 'truncated') {
      process.stdout.write(`audit chain broken at seq ${report.broken.seq}: ${report.broken.detail}\n`);
      process.stdout.write(`rows 1 to ${report.rows} verified; the rows from seq ${report.broken.seq} on cannot be trusted.\n`);
      return 1;
    }
    if (report.broken) {
      process.stdout.write(`audit chain truncated: ${report.broken.detail}\n`);
      process.stdout.write(`the chain itself is intact: ${report.rows} rows, head ${report.head.hash}\n`);
      return 1;
    }
    process.stdout.write(`audit chain intact: ${report.rows} rows, head ${report.head.hash}\n`);
    if (report.expectedAt !== undefined) {
      const since = report.rows - report.expectedAt;
      process.stdout.write(since === 0 ? 'the head matches --expect-head.\n' : `--expect-head is row ${report.expectedAt}; ${since} row${since === 1 ? '' : 's'} appended since.\n`);
    } else {
      process.stdout.write('record this head elsewhere and pass it as --expect-head next time: removing the newest rows cannot be seen otherwise.\n');
    }
    return 0;
  });
}

/** One audit row as a line: seq, time, actor, action, record and request, then the changed fields. */
function describeRow(row: AuditRow): string {
  const before = row.before ? (JSON.parse(row.before) as Record<string, unknown>) : undefined;
  const after = row.after ? (JSON.parse(row.after) as Record<string, unknown>) : undefined;
  let changes: string;
  if (row.action === 'update' && before && after) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    changes = keys.map((k) => `${k}: ${JSON.stringify(before[k] ?? null)} -> ${JSON.stringify(after[k] ?? null)}`).join(', ');
  } else {
    changes = JSON.stringify(after ?? before ?? {});
  }
  return `${row.seq}  ${row.at}  ${row.actor}  ${row.action} ${row.entity}/${row.recordId}  ${row.requestId ?? '-'}  ${changes}`;
}

/**
 * `archspec audit list <spec>`: the newest audit rows (oldest of them first), optionally of one
 * entity (`--entity`) and record (`--id`); `--json` prints one JSON object per line, hashes included.
 */
export async function auditListCommand(specFile: string, options: AuditListOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new CliError(`--limit ${options.limit} is not a whole number from 1 to 100000`);
  return withAuditLog(specFile, env, async (storage, model) => {
    if (options.entity !== undefined && !model.entities.some((e) => e.name === options.entity)) {
      throw new CliError(`--entity ${options.entity} is not an entity of the spec`, `use one of ${model.entities.map((e) => e.name).join(', ')}`);
    }
    const rows = await listAudit(storage.kysely, { limit, ...(options.entity ? { entity: options.entity } : {}), ...(options.id ? { recordId: options.id } : {}) });
    for (const row of rows) process.stdout.write(`${options.json ? JSON.stringify(row) : describeRow(row)}\n`);
    if (!options.json && rows.length === 0) process.stderr.write('no audit rows match.\n');
    return 0;
  });
}
