/**
 * Where the read replicas are: `DATABASE_REPLICA_URLS`, read and checked without loading a driver
 * (configuration checks it at start; the replicas are opened later).
 */

/** `DATABASE_REPLICA_URLS` is malformed or does not fit `DATABASE_URL`; `hint` says what is expected. */
export class ReplicaUrlError extends Error {
  readonly code = 'config_invalid';
  readonly hint = 'set DATABASE_REPLICA_URLS to comma-separated postgres://user:password@host:5432/db URLs of streaming standbys of DATABASE_URL, or unset it';
  constructor(message: string) {
    super(message);
    this.name = 'ReplicaUrlError';
  }
}

/**
 * The replica URLs `DATABASE_REPLICA_URLS` lists (comma-separated; blank entries are ignored), in
 * order; empty when it is unset or blank. Replicas serve a PostgreSQL primary only, so
 * `DATABASE_URL` must be a PostgreSQL URL too. Messages name an entry by its position, never by
 * its text (it may hold a password).
 *
 * @throws ReplicaUrlError for an entry that is not a `postgres://` or `postgresql://` URL with a
 *   host, or replicas next to a SQLite database.
 * @example
 * replicaUrlsFrom({ DATABASE_URL: 'postgres://db/app', DATABASE_REPLICA_URLS: 'postgres://r1/app, postgres://r2/app' })
 * // ['postgres://r1/app', 'postgres://r2/app']
 */
export function replicaUrlsFrom(env: Record<string, string | undefined>): string[] {
  const entries = (env.DATABASE_REPLICA_URLS ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (!entries.length) return [];
  if (!isPostgresUrl(env.DATABASE_URL?.trim() ?? '')) {
    throw new ReplicaUrlError('DATABASE_REPLICA_URLS is set, but DATABASE_URL is not a PostgreSQL URL (read replicas serve a PostgreSQL primary; the embedded SQLite database has none)');
  }
  entries.forEach((entry, i) => {
    const which = entries.length > 1 ? `entry ${i + 1} of DATABASE_REPLICA_URLS` : 'DATABASE_REPLICA_URLS';
    if (!isPostgresUrl(entry)) throw new ReplicaUrlError(`${which} is not a postgres:// or postgresql:// URL`);
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ReplicaUrlError(`${which} is not a URL`);
    }
    if (!url.hostname) throw new ReplicaUrlError(`${which} names no host`);
  });
  return entries;
}

function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}
