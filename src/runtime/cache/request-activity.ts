import type { FastifyRequest } from 'fastify';
import { currentWork } from '../request-context.ts';

/**
 * What the storage saw a request do, for the response cache: the entities it read (its answer is
 * tagged with them, so a write to any of them invalidates it) and whether it wrote (an answer
 * computed by a request that wrote had side effects and is not stored). Only requests the response
 * cache follows are recorded; the storage finds the request through the request context.
 */
export interface RequestActivity {
  reads: Set<string>;
  wrote: boolean;
}

const activities = new WeakMap<FastifyRequest, RequestActivity>();

/** Starts recording what `request` reads and writes. */
export function followRequest(request: FastifyRequest): RequestActivity {
  const activity: RequestActivity = { reads: new Set(), wrote: false };
  activities.set(request, activity);
  return activity;
}

/** The HTTP request being served right now, if the current work is one. */
export function currentRequest(): FastifyRequest | undefined {
  return currentWork()?.request;
}

/** Whether the current request is followed: its answer may be stored in the response cache. */
export function fillsResponseCache(): boolean {
  const request = currentRequest();
  return request !== undefined && activities.has(request);
}

/** Notes a read of `entity` by the current request (when it is followed). */
export function noteRead(entity: string): void {
  const request = currentRequest();
  if (request) activities.get(request)?.reads.add(entity);
}

/** Notes a write by the current request (when it is followed). */
export function noteWrite(): void {
  const request = currentRequest();
  const activity = request && activities.get(request);
  if (activity) activity.wrote = true;
}

/**
 * The request's `Cache-Control` asks for a fresh answer: `no-cache` (look nothing up; the fresh
 * answer may be stored) or `no-store` (also store nothing).
 */
export function requestedFreshness(request: FastifyRequest | undefined): { noCache: boolean; noStore: boolean } {
  const header = request?.headers['cache-control'];
  if (!header) return { noCache: false, noStore: false };
  const directives = String(header).toLowerCase().split(',').map((d) => d.trim().split('=')[0]);
  const noStore = directives.includes('no-store');
  return { noCache: noStore || directives.includes('no-cache'), noStore };
}
