import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP proxy on a local port in front of a shared server (PostgreSQL, Redis, ...), so a test can
 * simulate that server going away without stopping it for every other test file: `down()` drops
 * every connection and stops listening (new connections are refused), `up()` listens again on the
 * same port.
 *
 * @example
 * const proxy = await new TcpProxy('127.0.0.1', 5432).up();
 * const url = proxy.rewrite('postgres://postgres@127.0.0.1:5432/app'); // -> ...@127.0.0.1:<proxy port>/app
 * await proxy.down(); // the database "is down"
 * await proxy.up();   // and back
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  /** A proxy in front of the host and port of `url`. */
  static for(url: string, defaultPort: number): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname || '127.0.0.1', Number(u.port || defaultPort));
  }

  /** The proxy's port (0 before the first `up()`). */
  get listeningPort(): number {
    return this.port;
  }

  /** `url` with its host and port replaced by the proxy's (credentials, path and query kept). */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Starts listening (on the same port as before after a `down()`). */
  async up(): Promise<this> {
    const server = createServer((client) => {
      const upstream = new Socket();
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.connect(this.targetPort, this.targetHost, () => { client.pipe(upstream).pipe(client); });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Destroys every open connection (both sides) and stops listening. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
