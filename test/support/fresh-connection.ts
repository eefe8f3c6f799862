import { request } from 'node:http';

/** An answer read by {@link callOnNewConnection}: status, headers and the JSON body (undefined when empty). */
export interface FreshAnswer { status: number; headers: Record<string, string | string[] | undefined>; body: any }

/**
 * One request to 127.0.0.1:`port` on a connection of its own (no keep-alive, `Connection: close`),
 * so with several workers behind one port each request may land on any of them.
 */
export function callOnNewConnection(port: number, method: string, path: string, options: { body?: unknown; token?: string; requestId?: string } = {}): Promise<FreshAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { connection: 'close' };
  if (payload) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['x-request-id'] = options.requestId;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
