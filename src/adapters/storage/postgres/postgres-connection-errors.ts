import type { PoolClient } from 'pg';
import { StorageUnavailableError } from '../storage.ts';

/**
 * Which pg failures mean "the database cannot be reached right now" (as opposed to a bad query or
 * a constraint): they become StorageUnavailableError, which the API answers with 503 and
 * Retry-After instead of 500, and the pool recovers from by itself (a dead client is dropped when
 * released; the next query opens a new connection).
 */

/** Socket errors of a connection that broke or could not be made. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that is going away or refusing work: class 08 (connection exception),
 * 57P01-57P03 (admin or crash shutdown, cannot connect now), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** Messages pg gives without a code when a connection ends under it, or a client was left unusable. */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Query read timeout)/;

/** Whether `error` (from pg or its socket) says the database is unreachable. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  return typeof e.message === 'string' && LOST_CONNECTION.test(e.message);
}

/** `error` as a StorageUnavailableError naming `where` (host:port, no credentials) when it is a connection failure; otherwise unchanged. */
export function asUnavailable(error: unknown, where: string): unknown {
  if (error instanceof StorageUnavailableError || !isConnectionFailure(error)) return error;
  return new StorageUnavailableError(`PostgreSQL at ${where} is unreachable: ${(error as Error).message}`, { cause: error });
}

/**
 * Prepares a client the pool just opened: a broken connection is reported to the query in flight
 * (as StorageUnavailableError), not as an `error` event nobody listens to. pg emits `error` on a
 * checked-out client whose connection ends, and an unhandled `error` event would crash the process
 * at the first outage; the pool's own listener only covers idle clients.
 */
export function guardClient(client: PoolClient, where: string): void {
  client.on('error', () => {
    // The query in flight (if any) rejects with the same error; the pool drops the client on release.
  });
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    // Promise form only (kysely's); callback and submittable (cursor) forms pass through.
    const pending = result as Promise<unknown> | undefined;
    return typeof pending?.then === 'function' ? pending.then(undefined, (e: unknown) => { throw asUnavailable(e, where); }) : result;
  };
}
