import { sql } from 'kysely';
import { createEventTransport, eventTransportConfigFrom } from '../adapters/broker/create-event-transport.ts';
import type { DeliveryRecord, DeliveryStatus, EventTransport, RedriveSelector } from '../adapters/broker/event-transport.ts';
import type { SystemModel } from '../model/system-model.ts';
import { didYouMean } from '../internal/suggest.ts';
import { subscriptionsOf } from '../runtime/events/event-consumers.ts';
import { outboxBacklog, OUTBOX_TABLE } from '../runtime/events/outbox.ts';
import type { Storage } from '../adapters/storage/storage.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, openStorage, unreachable } from './open-storage.ts';
import { CliError } from './run-command.ts';

/** Options of `archspec events list`. */
export interface EventsListOptions {
  status?: string;
  limit?: string;
}

/** Options of `archspec events redrive`: exactly one of them. */
export interface EventsRedriveOptions {
  id?: string;
  consumer?: string;
  all?: boolean;
}

const STATUSES: readonly DeliveryStatus[] = ['pending', 'dead', 'done'];
const MAX_LIMIT = 1_000;
const ERROR_CHARS = 100;

/** Opens the database of `specFile` and its event transport, runs `fn`; 1 for spec errors, a CliError when the tables are missing. */
async function withEvents(specFile: string, env: NodeJS.ProcessEnv, fn: (transport: EventTransport, storage: Storage, model: SystemModel) => Promise<number>): Promise<number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  if (!model) return 1;
  const { storage, config } = await openStorage(model, specFile, env);
  try {
    await sql`select count(*) as n from ${sql.table(OUTBOX_TABLE)} where 1 = 0`.execute(storage.kysely).catch((e: unknown) => {
      const reached = unreachable(e, config);
      if (reached !== e) throw reached;
      throw new CliError(`${describeDatabase(config)} has no event tables (${OUTBOX_TABLE})`, `run \`archspec migrate ${specFile}\` (or serve it) first; check DATABASE_URL names the right database`);
    });
    // The transport `serve` uses with this environment: NATS JetStream when NATS_URL is set.
    const selected = eventTransportConfigFrom(env);
    const transport = await createEventTransport(selected.engine, {
      db: storage.kysely, dialect: storage.engine, subscriptions: subscriptionsOf(model), system: model.system.name, ...(selected.engine === 'nats' ? { url: selected.url } : {}),
    });
    try {
      return await fn(transport, storage, model);
    } finally {
      await transport.close?.();
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'event_transport_unavailable') throw new CliError((e as Error).message, 'start NATS with JetStream, fix NATS_URL, or unset it for events delivered through the database');
    if (code === 'transport_unsupported') throw new CliError((e as Error).message, 'list the dead letters with --status dead');
    throw unreachable(e, config);
  } finally {
    await storage.close();
  }
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function oneLine(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_CHARS ? `${flat.slice(0, ERROR_CHARS - 3)}...` : flat;
}

function when(r: DeliveryRecord): string {
  if (r.status === 'done') return `delivered ${r.deliveredAt ?? ''}`;
  if (r.status === 'pending') return `next ${r.nextAttemptAt}`;
  return `emitted ${r.emittedAt ?? r.createdAt}`;
}

/**
 * `archspec events list <spec> [--status pending|dead|done] [--limit N]`: the newest event
 * deliveries (one per event and consuming component), newest first, with their status, attempts,
 * next attempt or delivery time and last error, then how many emitted events still wait in the
 * outbox for the relay. Exit 0; 1 for spec errors; 2 for a bad option or an unreachable database.
 */
export async function eventsListCommand(specFile: string, options: EventsListOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const status = options.status;
  if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) {
    throw new CliError(`--status ${status} is not a delivery status`, `use one of ${STATUSES.join(', ')}`);
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new CliError(`--limit ${options.limit} is not a whole number from 1 to ${MAX_LIMIT}`);
  return withEvents(specFile, env, async (transport, storage) => {
    const rows = await transport.list({ ...(status ? { status: status as DeliveryStatus } : {}), limit });
    const backlog = await outboxBacklog(storage.kysely);
    if (rows.length) {
      const table = [['EVENT ID', 'EVENT', 'CONSUMER', 'STATUS', 'ATTEMPTS', 'WHEN', 'LAST ERROR']];
      for (const r of rows) table.push([r.eventId, r.event, r.consumer, r.status, String(r.attempts), when(r), oneLine(r.lastError)]);
      process.stdout.write(`${pad(table)}\n`);
    } else {
      process.stdout.write(`no ${status ? `${status} ` : ''}event deliveries.\n`);
    }
    if (backlog.pending) process.stdout.write(`${backlog.pending} emitted event(s) wait in the outbox to be published (oldest ${backlog.oldestCreatedAt}).\n`);
    return 0;
  });
}

/**
 * `archspec events redrive <spec> (--id ID | --consumer NAME | --all)`: makes dead letters pending
 * again with their attempts reset, so a running server delivers them at its next poll: one
 * delivery (`<eventId>:<consumer>`, or an event id for all its dead deliveries), every dead letter
 * of one consumer (a component name), or all. Prints how many. Exit 0 (also when none matched); 1
 * for spec errors; 2 for a bad option, an unknown consumer or an unreachable database.
 */
export async function eventsRedriveCommand(specFile: string, options: EventsRedriveOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const chosen = [options.id !== undefined, options.consumer !== undefined, options.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new CliError('say which dead letters to redrive: exactly one of --id, --consumer, --all', 'see them with `archspec events list <spec> --status dead`');
  return withEvents(specFile, env, async (transport, _storage, model) => {
    let selector: RedriveSelector;
    if (options.id !== undefined) selector = { id: options.id };
    else if (options.consumer !== undefined) {
      const consumers = [...new Set(subscriptionsOf(model).map((s) => s.consumer))];
      if (!consumers.includes(options.consumer)) {
        throw new CliError(`no component consumes events under the name ${options.consumer}.${didYouMean(options.consumer, consumers)}`, `consumers in this spec: ${consumers.join(', ') || 'none'}`);
      }
      selector = { consumer: options.consumer };
    } else selector = { all: true };
    const count = await transport.redrive(selector);
    process.stdout.write(`redrove ${count} dead letter${count === 1 ? '' : 's'}: pending again, delivered by the next server poll.\n`);
    return 0;
  });
}
