import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Test helpers for the Redis engines: unique key prefixes per test run, removing what a run wrote,
 * and a closed port. To take Redis "down" (it is shared by every test file, so it is never
 * stopped), put test/support/tcp-proxy.ts in front of it.
 */

/** A key prefix no other run or file uses: `test:<label>:<uuid>:`. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID()}:`;
}

/** Deletes every key under `prefix` (SCAN, so Redis is not blocked). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A local port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
