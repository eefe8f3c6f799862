import { Socket } from 'node:net';

/**
 * The local Redis and NATS servers the scale-out engines are tested against (CI provides both:
 * `.ci/run` starts them when they are down). Outside CI a suite whose server does not answer is
 * skipped with a message naming the server and how to start it; under `CI` it fails instead.
 *
 * @example
 * const redis = await serviceUrl('redis');
 * describe.skipIf(!redis.url)(`redis cache store (${redis.reason})`, () => { ... });
 */

export type ServiceName = 'redis' | 'nats';

const SERVICES: Record<ServiceName, { url: string; env: string; port: number; start: string }> = {
  redis: { url: 'redis://127.0.0.1:6379', env: 'TEST_REDIS_URL', port: 6379, start: 'redis-server --daemonize yes' },
  nats: { url: 'nats://127.0.0.1:4222', env: 'TEST_NATS_URL', port: 4222, start: 'nats-server -js' },
};

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
function listening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * The URL of the local `name` server when it answers (TEST_REDIS_URL / TEST_NATS_URL override the
 * default); otherwise `url` is undefined and `reason` says why. Throws under CI when it does not answer.
 */
export async function serviceUrl(name: ServiceName): Promise<{ url?: string; reason: string }> {
  const service = SERVICES[name];
  const url = process.env[service.env] ?? service.url;
  const parsed = new URL(url);
  if (await listening(parsed.hostname, Number(parsed.port || service.port))) return { url, reason: `${name} at ${parsed.host}` };
  const reason = `skipped: no ${name} server at ${parsed.host} (start one with \`${service.start}\`, or set ${service.env})`;
  if (process.env.CI) throw new Error(`${name} is required in CI but does not answer at ${parsed.host}`);
  return { reason };
}
