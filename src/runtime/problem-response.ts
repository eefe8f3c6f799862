import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';
import { StorageUnavailableError } from '../adapters/storage/storage.ts';
import { ForeignKeyViolationError, InvalidCursorError, NotNullViolationError, UniqueViolationError } from '../adapters/storage/storage-errors.ts';
import { invalidParams } from './validation.ts';
import { databaseOutageOf } from './outage-log.ts';

/**
 * The last stage of every request that failed: whatever was thrown becomes an RFC 9457
 * problem+json response with a stable code. Bad input never becomes a 500, and a 500 never carries
 * the error's message or stack (the error is logged instead).
 */

/**
 * Seconds a client should wait before retrying when the database is unreachable (the same as
 * /readyz's Retry-After): short, since the pool reconnects on the first request after the outage.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** Fastify's own client errors, by code. */
const FASTIFY_ERRORS: Record<string, (error: FastifyError) => ApiError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ApiError('payload_too_large', 'the request body is larger than this API accepts'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => new ApiError('unsupported_media_type', `${e.message}; send application/json`),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new ApiError('bad_request', 'the Content-Length header does not match the body'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ApiError('bad_request', 'the body is empty but Content-Type says application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new ApiError('bad_request', 'the body is not valid JSON'),
};

/** Translates any thrown value into an ApiError, or undefined when it is an unexpected failure (a 500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof UniqueViolationError) return new ApiError('conflict', `another ${error.entity} already has this ${error.field}`, { errors: [{ pointer: `/${error.field}`, detail: 'is already taken' }] });
  if (error instanceof ForeignKeyViolationError) {
    return error.action === 'write'
      ? ApiError.validation([{ pointer: `/${error.field}`, detail: `refers to a ${error.referenced} that does not exist` }])
      : new ApiError('conflict', `this ${error.referenced} is still referenced by ${error.entity}.${error.field}; delete those first`);
  }
  if (error instanceof NotNullViolationError) return ApiError.validation([{ pointer: `/${error.field}`, detail: 'is required' }]);
  if (error instanceof InvalidCursorError) return ApiError.validation([{ pointer: '/query/cursor', detail: error.message }]);
  if (storageUnavailable(error)) {
    // A fixed detail: the error's own message names the database host.
    return new ApiError('service_unavailable', 'the database is unreachable; retry shortly', { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS });
  }
  const fe = error as Partial<FastifyError> & { validationContext?: string };
  if (fe.validation) return ApiError.validation(invalidParams(fe.validation as never, fe.validationContext ?? 'body'));
  if (fe.code && FASTIFY_ERRORS[fe.code]) return FASTIFY_ERRORS[fe.code]!(fe as FastifyError);
  // JSON.parse failures from a content-type parser surface as SyntaxError with status 400.
  if (error instanceof SyntaxError && fe.statusCode === 400) return new ApiError('bad_request', 'the body is not valid JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const byStatus: Record<number, ApiError['code']> = { 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'too_many_requests' };
    return new ApiError(byStatus[fe.statusCode] ?? 'bad_request', fe.message ?? 'bad request');
  }
  return undefined;
}

/** The StorageUnavailableError `error` is or was caused by (a layer may wrap it), if any. */
function storageUnavailable(error: unknown): StorageUnavailableError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StorageUnavailableError) return e;
  }
  return undefined;
}

/** Sends `problem` as application/problem+json with its headers (Retry-After, Allow, ...). */
export function sendProblem(reply: FastifyReply, problem: ApiError, instance: string): FastifyReply {
  if (problem.extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.extra.retryAfterSeconds));
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  return reply.status(problem.status).type('application/problem+json').send(problem.toProblem(instance));
}

/** Fastify error handler: every error becomes problem+json; unexpected ones are logged and answered generically. */
export function problemErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toApiError(error);
  if (known) {
    // An outage fails every request: log it once (and a summary now and then), not per request.
    if (storageUnavailable(error)) databaseOutageOf(request.server.server).failed(request.log, error);
    else if (known.status >= 500) request.log.warn({ err: error }, known.detail);
    return sendProblem(reply, known, request.url);
  }
  request.log.error({ err: error }, 'unexpected error while handling the request');
  return sendProblem(reply, new ApiError('internal', `something went wrong on our side; quote request id ${request.id} when reporting it`), request.url);
}
