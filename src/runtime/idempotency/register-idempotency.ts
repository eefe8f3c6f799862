import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, onSendAsyncHookHandler } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { ApiError } from '../api-error.ts';
import { idempotencyKeyOf, requestHashOf, scopedKeyId } from './idempotency-key.ts';
import { IdempotencyStore, type IdempotencyOptions, type KeyClaim, type StoredResponse } from './idempotency-store.ts';
import { withIdempotencyFence } from './idempotency-fence.ts';
import { currentWork } from '../request-context.ts';

/**
 * Idempotency-Key on the spec's `idempotent: true` POST endpoints (generated creates and custom
 * handlers alike). After authentication, authorization and validation (a preHandler hook), a
 * request with a key claims it; the first one runs and its answer is stored when it is sent (an
 * onSend hook), repeats get that answer without running the handler again.
 */

/** Response headers a replay repeats (the security and request-id headers are the replay's own). */
const KEPT_HEADERS = ['content-type', 'location', 'etag'] as const;
/** Marks an answer as a replay of the first request's. */
export const REPLAYED_HEADER = 'idempotent-replayed';

type Outcome = 'new' | 'replayed' | 'reused' | 'in_flight' | 'taken_over' | 'answer_lost';

function outcomeCounter(registry: Registry | undefined): (outcome: Outcome) => void {
  if (!registry) return () => {};
  const name = 'archspec_idempotency_requests_total';
  const counter = (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ?? new Counter({
    name, help: 'Requests that sent an Idempotency-Key, by outcome (new, replayed, reused, in_flight, taken_over, answer_lost).', labelNames: ['outcome'] as const, registers: [registry],
  });
  return (outcome) => counter.inc({ outcome });
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

function sendStored(reply: FastifyReply, response: StoredResponse): FastifyReply {
  reply.status(response.status).headers(response.headers).header(REPLAYED_HEADER, 'true');
  return response.body === undefined ? reply.send() : reply.send(response.body);
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Adds the Idempotency-Key hooks to every route registered after this call whose endpoint is an
 * idempotent POST. Without the header a request is processed normally. With it:
 * - malformed key (see idempotencyKeyOf): 400 `bad_request`;
 * - first use: processed; a non-5xx answer is stored for `ttlMs` (status, body, content-type,
 *   location, etag), a 5xx answer is not (the key is released so the client can retry);
 * - same key, caller, endpoint and request (method, URL, body bytes): the stored answer with
 *   `Idempotent-Replayed: true`, and the handler does not run;
 * - same key with another request: 422 `idempotency_key_reused`;
 * - same key while the first is still processed: 409 `idempotency_key_in_flight`, Retry-After 1;
 *   after `takeoverMs` a pending key is presumed abandoned (its process died) and the next request
 *   takes it over and runs;
 * - the request's write transactions fence the key (the storage this returns, see
 *   idempotency-fence.ts): a first request whose key was taken over while it ran rolls back and
 *   answers 409 `idempotency_key_in_flight`, so the writes of one key commit once; and when a
 *   process dies between its commit and storing the answer, repeats get 409
 *   `idempotency_key_answer_lost` (with the created record's Location for generated creates)
 *   instead of running the request again.
 *
 * Returns the storage that endpoints must write through (the fenced one; `storage` itself when no
 * endpoint is an idempotent POST).
 *
 * @example
 * storage = registerIdempotency(app, model, storage, { registry: metrics.registry }); // before registerCrud / registerHandlers
 */
export function registerIdempotency(
  app: FastifyInstance,
  model: SystemModel,
  storage: Storage,
  options: IdempotencyOptions & { registry?: Registry } = {},
): Storage {
  const endpoints = new Set(model.api.endpoints.filter((e) => e.idempotent && e.method === 'POST').map((e) => e.key));
  if (endpoints.size === 0) return storage;
  const store = new IdempotencyStore(storage.kysely, options);
  const count = outcomeCounter(options.registry);
  const claims = new WeakMap<FastifyRequest, KeyClaim>();

  const claimKey: preHandlerAsyncHookHandler = async function (request, reply) {
    const key = idempotencyKeyOf(request.headers['idempotency-key']);
    if (key === undefined) return;
    const endpoint = String(request.routeOptions.config.endpoint);
    const caller = request.caller?.userId ?? 'anonymous';
    const result = await store.claim({
      id: scopedKeyId(endpoint, caller, key), endpoint, caller, key,
      requestHash: requestHashOf(request.method, request.url, request.rawBody),
    });
    switch (result.kind) {
      case 'owner': {
        claims.set(request, result.claim);
        const work = currentWork();
        if (work?.request === request) work.idempotencyClaim = result.claim;
        count(result.takenOver ? 'taken_over' : 'new');
        return;
      }
      case 'answer-lost':
        count('answer_lost');
        throw new ApiError('idempotency_key_answer_lost', `the request with Idempotency-Key ${JSON.stringify(key)} was applied, but the server stopped before its answer was stored${result.location ? `; the created record is at ${result.location}` : ''}. Do not send it again with a new key: read the resource to see its state`, result.location ? { headers: { location: result.location } } : {});
      case 'replay':
        count('replayed');
        return sendStored(reply, result.response);
      case 'reused':
        count('reused');
        throw new ApiError('idempotency_key_reused', `Idempotency-Key ${JSON.stringify(key)} was already used on ${endpoint} with a different request; use a new key for a new request`);
      case 'in-flight':
        count('in_flight');
        throw new ApiError('idempotency_key_in_flight', `a request with Idempotency-Key ${JSON.stringify(key)} is still being processed; retry shortly with the same key and body`, { retryAfterSeconds: 1 });
    }
  };

  const storeAnswer: onSendAsyncHookHandler<unknown> = async function (request, reply, payload) {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    try {
      if (payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
        // A streamed body cannot be kept: the key keeps only what the fence says (committed or not).
        await store.release(claim, { status: reply.statusCode, headers: keptHeaders(reply) });
        return payload;
      }
      if (reply.statusCode >= 500) {
        // Not stored (a server error may succeed on retry), unless the request's writes committed.
        await store.release(claim, { status: reply.statusCode, headers: keptHeaders(reply), ...(typeof payload === 'string' || Buffer.isBuffer(payload) ? { body: payload } : {}) });
        return payload;
      }
      const body = payload === null || payload === undefined || payload === '' ? undefined : (payload as string | Buffer);
      const stored = await store.complete(claim, { status: reply.statusCode, headers: keptHeaders(reply), ...(body === undefined ? {} : { body }) });
      if (!stored) request.log.warn({ idempotencyKey: request.headers['idempotency-key'] }, 'the Idempotency-Key was taken over while this request ran; its answer is not stored');
    } catch (err) {
      // The answer still goes out; the key stays pending (or committed) until the takeover time (see above).
      request.log.error({ err }, 'could not store the answer of an Idempotency-Key request');
    }
    return payload;
  };

  app.addHook('onRoute', (route) => {
    const endpoint = (route.config as { endpoint?: string } | undefined)?.endpoint;
    if (!endpoint || !endpoints.has(endpoint) || route.method !== 'POST') return;
    route.preHandler = [...asArray(route.preHandler), claimKey];
    route.onSend = [...asArray(route.onSend), storeAnswer];
  });
  return withIdempotencyFence(storage, model, store);
}
