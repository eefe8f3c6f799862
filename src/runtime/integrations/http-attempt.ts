import { fetch, type Agent, type Response } from 'undici';
import { AddressRefusedError, AttemptError, AttemptTimeoutError } from './integration-errors.ts';

/**
 * One HTTP attempt of an integration call: undici's fetch through the integration's pinned agent,
 * no redirects followed, the body streamed and cut off beyond {@link MAX_RESPONSE_BYTES}, the
 * answer parsed as JSON. Every failure becomes an AttemptError (or AddressRefusedError from the
 * SSRF guard), so the resilience policies know whether to retry it and whether the breaker counts it.
 */

/** Largest answer body accepted from an integration, bytes (1 MiB): a larger one fails the attempt. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What one attempt sends. */
export interface AttemptRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** JSON text of the body (POST). */
  body?: string;
}

/** A successful attempt: the parsed JSON (null for an empty body) and its text (for the `cached` fallback). */
export interface AttemptAnswer {
  value: unknown;
  text: string;
}

/**
 * Sends `request` through `agent`; `signal` is the timeout policy's (cooperative: aborting it
 * cancels the request and the body read, and the attempt fails as a timeout of `timeoutMs`).
 *
 * @throws AttemptError, AttemptTimeoutError, AddressRefusedError
 */
export async function httpAttempt(agent: Agent, request: AttemptRequest, signal: AbortSignal, timeoutMs: number): Promise<AttemptAnswer> {
  const failed = (error: unknown): never => {
    if (error instanceof AttemptError) throw error;
    if (signal.aborted) throw new AttemptTimeoutError(timeoutMs, { cause: error });
    const chain = causeChain(error);
    const refused = chain.find((e) => e instanceof AddressRefusedError);
    if (refused) throw refused;
    const code = chain.map((e) => (e as NodeJS.ErrnoException).code).find((c) => typeof c === 'string');
    throw new AttemptError(`the connection failed${code ? ` (${code})` : ''}`, true, true, { cause: error });
  };
  try {
    const response = await fetch(request.url, {
      method: request.method, headers: request.headers, body: request.body, redirect: 'manual', dispatcher: agent, signal,
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      // Following a redirect would leave the checked origin: a configuration problem the breaker should see.
      throw new AttemptError(`answered ${response.status}, a redirect (refused)`, false, true);
    }
    const text = await boundedText(response.body, response.headers.get('content-length'));
    if (!response.ok) {
      const transient = response.status >= 500 || response.status === 408 || response.status === 429;
      throw new AttemptError(`answered ${response.status}`, transient, transient);
    }
    if (!text.trim()) return { value: null, text: '' };
    try {
      return { value: JSON.parse(text), text };
    } catch (error) {
      throw new AttemptError('answered with a body that is not JSON', false, true, { cause: error });
    }
  } catch (error) {
    return failed(error);
  }
}

/** The body as UTF-8 text, read chunk by chunk and abandoned as soon as it passes {@link MAX_RESPONSE_BYTES}. */
async function boundedText(body: Response['body'], contentLength: string | null): Promise<string> {
  if (!body) return '';
  if (contentLength !== null && Number(contentLength) > MAX_RESPONSE_BYTES) {
    await body.cancel();
    throw oversize();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw oversize();
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function oversize(): AttemptError {
  return new AttemptError(`answered with a body larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`, false, true);
}

/** `error` and its causes (fetch wraps connection and lookup errors in a TypeError). */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}
