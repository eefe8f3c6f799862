import { randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Test helpers for the Redis engines: unique key prefixes per test run, removing what a run wrote,
 * and a TCP proxy in front of Redis that a test can take down and bring back (Redis itself is
 * shared by every test file, so it is never stopped).
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

/** A TCP proxy to Redis on a local port: `down()` drops every connection and refuses new ones, `up()` accepts again. */
export class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly target: URL) {}

  /** `redis://127.0.0.1:<proxy port>` (with the target's path, e.g. a database number). */
  get url(): string {
    return `redis://127.0.0.1:${this.port}${this.target.pathname}`;
  }

  async up(): Promise<this> {
    const server = createServer((client) => {
      const upstream = new Socket();
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      upstream.connect(Number(this.target.port || 6379), this.target.hostname, () => { client.pipe(upstream).pipe(client); });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
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
