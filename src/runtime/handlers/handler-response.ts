import type { FastifyReply } from 'fastify';
import { API_ERRORS } from '../api-error.ts';
import type { HandlerResponse } from './handler-context.ts';

/**
 * The response helpers handlers return (`ctx.created`, `ctx.problem` ...) and how a handler's
 * return value becomes the HTTP answer.
 */

function response(status: number, body: unknown, headers: Record<string, string> = {}): HandlerResponse {
  return { kind: 'archspec.response', status, headers, body };
}

/** Whether `value` was built by a response helper. */
export function isHandlerResponse(value: unknown): value is HandlerResponse {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'archspec.response';
}

/** A problem+json answer with the handler's own code (titles of the API's own codes are reused). */
export function problem(status: number, code: string, detail: string, instance?: string): HandlerResponse {
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`ctx.problem: ${status} is not an error status (400-599)`);
  const title = (API_ERRORS as Record<string, { title: string }>)[code]?.title ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return response(status, { type: `https://archspec.dev/problems/${code}`, title, status, code, detail, ...(instance ? { instance } : {}) }, { 'content-type': 'application/problem+json' });
}

/**
 * The Location of a created record: a path as the spec writes routes (`/orders/42`) is placed under
 * the API base path (`/api/v1/orders/42`); an absolute URL or a relative reference is kept as given.
 */
export function createdLocation(basePath: string, location: string): string {
  return location.startsWith('/') && !location.startsWith('//') ? `${basePath}${location}` : location;
}

/** The helpers of a HandlerContext, for a request at `instance` of an API under `basePath`. */
export function responseHelpers(instance: string, basePath: string) {
  return {
    notFound: (detail = 'the requested record does not exist') => problem(404, 'not_found', detail, instance),
    problem: (status: number, code: string, detail: string) => problem(status, code, detail, instance),
    redirect: (url: string, status: 301 | 302 | 303 | 307 | 308 = 302) => response(status, undefined, { location: url }),
    created: (body: unknown, location?: string) => response(201, body, location === undefined ? {} : { location: createdLocation(basePath, location) }),
    json: (body: unknown, status = 200) => response(status, body),
  };
}

/** Sends what a handler returned: a helper's response, undefined as 204, anything else as 200 JSON. */
export function sendHandlerResult(reply: FastifyReply, result: unknown): FastifyReply {
  if (!isHandlerResponse(result)) return result === undefined ? reply.status(204).send() : reply.status(200).send(result);
  reply.status(result.status).headers(result.headers);
  return result.body === undefined ? reply.send() : reply.send(result.body);
}
