/**
 * Where a database is, for messages: never the credentials. Kept apart from the engines so callers
 * (configuration, the CLI) can use it without loading a driver.
 */

/** What {@link hostPortOf} answers for a URL it cannot parse. */
export const UNPARSABLE_URL = 'an unparsable URL';

/** "host:port" of a connection URL, without credentials (5432 when the URL names no port). */
export function hostPortOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return UNPARSABLE_URL;
  }
}
