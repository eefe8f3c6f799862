import { createHash } from 'node:crypto';
import { ApiError } from '../api-error.ts';

/**
 * The Idempotency-Key header and what a key is bound to: the caller and endpoint it was used on
 * (its scope) and the request it was first sent with (a hash of method, path, query and body).
 */

/** 1 to 255 printable ASCII characters (space to tilde). */
const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * The key a request sent, undefined when it sent none. A malformed key (empty, longer than 255,
 * non-printable or non-ASCII characters, or the header sent twice) is a 400 `bad_request`.
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !KEY.test(header)) {
    throw new ApiError('bad_request', 'Idempotency-Key must be sent once, as 1 to 255 printable ASCII characters (a UUID is a good key)');
  }
  return header;
}

const sha256 = (...parts: string[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\n');
  return hash.digest('hex');
};

/** The row id of a key: a hash of its scope (endpoint and caller) and the key itself. */
export function scopedKeyId(endpoint: string, caller: string, key: string): string {
  return sha256(endpoint, caller, key);
}

/**
 * What a repeated request must match: SHA-256 of the method, the URL as sent (path and query: the
 * same key on `/payments/1/refunds` and `/payments/2/refunds` are different requests) and the raw
 * body bytes.
 */
export function requestHashOf(method: string, url: string, rawBody: string | undefined): string {
  return createHash('sha256').update(`${method} ${url}\n`).update(Buffer.from(rawBody ?? '', 'utf8')).digest('hex');
}

/** The OpenAPI header parameter of an idempotent POST (see register-idempotency.ts for the behaviour it describes). */
export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key', in: 'header', required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  description: 'Makes a retry safe: the first request with a key runs and its answer is kept for 24 hours; repeating it (same body and URL) returns that answer with `Idempotent-Replayed: true` instead of running again. Another request under the same key: 422 `idempotency_key_reused`; while the first still runs: 409 `idempotency_key_in_flight` (Retry-After: 1).',
} as const;
