import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'yaml';

/**
 * A local stand-in for an external integration (node:http on 127.0.0.1, a free port), scripted
 * per request: each answer can be delayed, carry any status and body, stream an oversize body or
 * redirect. It records every request it receives, so tests can count the attempts that really
 * reached it (and prove that short-circuited calls did not).
 *
 * @example
 * const double = await startIntegrationDouble();
 * double.script({ delayMs: 500 }, { status: 503 });     // the next two requests
 * double.otherwise({ body: { score: 5 } });              // every request after them
 * env.FRAUD_API_URL = double.url;
 * ...
 * expect(double.count('/scores')).toBe(3);
 * await double.close();
 */

/** How the double answers one request. */
export interface ScriptedAnswer {
  /** Wait this long before answering (the request may be aborted meanwhile). */
  delayMs?: number;
  /** Default 200 (302 with `redirectTo`). */
  status?: number;
  /** Sent as JSON (default `{}`), unless `raw` is given. */
  body?: unknown;
  /** Sent as is, with content type text/plain unless `headers` say otherwise. */
  raw?: string;
  /** Streams a JSON-looking body of this many bytes, in 64 KiB chunks, without Content-Length. */
  oversizeBytes?: number;
  /** Answers a redirect (status default 302) to this Location. */
  redirectTo?: string;
  headers?: Record<string, string>;
}

/** A request the double received. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** True when the client hung up before the answer was complete (an aborted attempt). */
  abandoned: boolean;
}

export interface IntegrationDouble {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests received (whose path starts with `path`, when given). */
  count(path?: string): number;
  /** Queues answers for the next requests, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** The answer once the queue is empty (default: 200 `{}`); a function answers per request. */
  otherwise(answer: ScriptedAnswer | ((request: RecordedRequest) => ScriptedAnswer)): void;
  /** Forgets requests, the queue and `otherwise`. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a double on 127.0.0.1 at a free port. */
export async function startIntegrationDouble(): Promise<IntegrationDouble> {
  const requests: RecordedRequest[] = [];
  let queue: ScriptedAnswer[] = [];
  let fallback: ScriptedAnswer | ((request: RecordedRequest) => ScriptedAnswer) = {};

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), abandoned: false,
      };
      requests.push(recorded);
      const answer = queue.shift() ?? (typeof fallback === 'function' ? fallback(recorded) : fallback);
      const timer = setTimeout(() => send(res, answer), answer.delayMs ?? 0);
      res.on('close', () => {
        clearTimeout(timer); // the client gave up: never answer
        if (!res.writableFinished) recorded.abandoned = true;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (path) => requests.filter((r) => path === undefined || r.url.startsWith(path)).length,
    script: (...answers) => { queue.push(...answers); },
    otherwise: (answer) => { fallback = answer; },
    reset: () => { requests.length = 0; queue = []; fallback = {}; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(res: ServerResponse, answer: ScriptedAnswer): void {
  if (res.destroyed) return;
  if (answer.redirectTo) {
    res.writeHead(answer.status ?? 302, { location: answer.redirectTo, ...answer.headers }).end();
    return;
  }
  if (answer.oversizeBytes) {
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    streamBytes(res, answer.oversizeBytes);
    return;
  }
  const text = answer.raw ?? JSON.stringify(answer.body ?? {});
  const type = answer.raw === undefined ? 'application/json' : 'text/plain';
  res.writeHead(answer.status ?? 200, { 'content-type': type, ...answer.headers }).end(text);
}

/** Writes `total` bytes (`[0,0,0,...`) in 64 KiB chunks, stopping if the client hangs up. */
function streamBytes(res: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, '0,');
  let sent = 0;
  const write = (): void => {
    while (sent < total && !res.destroyed) {
      const piece = sent === 0 ? Buffer.concat([Buffer.from('['), chunk.subarray(1)]) : chunk;
      const part = piece.subarray(0, Math.min(piece.length, total - sent));
      sent += part.length;
      if (!res.write(part)) { res.once('drain', write); return; }
    }
    if (!res.destroyed) res.end();
  };
  write();
}

/**
 * Spec text rewrite for the e2e harness's `spec` option: every integration gets
 * `allowPrivateNetwork: true` (so a double on 127.0.0.1 may be called), then `edit` may change
 * the parsed spec further (comments are lost).
 *
 * @example
 * await serve('payments', engine, { spec: (text) => allowPrivateIntegrations(text, (s) => { s.requirements.integrations.cardprocessor.timeout = '100ms'; }) });
 */
export function allowPrivateIntegrations(text: string, edit?: (spec: any) => void): string {
  const spec = parse(text);
  for (const integration of Object.values<Record<string, unknown>>(spec.requirements?.integrations ?? {})) integration.allowPrivateNetwork = true;
  edit?.(spec);
  return stringify(spec);
}
