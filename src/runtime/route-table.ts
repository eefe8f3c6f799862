import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';
import { sendProblem } from './problem-response.ts';

/**
 * Unknown routes and wrong methods answer problem+json: 404 not_found for a path nothing serves,
 * 405 method_not_allowed (with an Allow header) for a path served under other methods. Fastify
 * itself only knows "no route", so every registered route is recorded here through `onRoute`.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  /** Records every route registered on `app` from now on (call before registering routes). */
  track(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      this.add(route.url, methods);
    });
  }

  /** Adds a route by its Fastify URL pattern (`/links/:code`). */
  add(url: string, methods: readonly string[]): void {
    const source = url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    const existing = this.routes.find((r) => r.pattern.source === pattern.source);
    if (existing) for (const m of methods) existing.methods.add(m.toUpperCase());
    else this.routes.push({ pattern, methods: new Set(methods.map((m) => m.toUpperCase())) });
  }

  /** Methods served at a concrete path (empty when nothing serves it). */
  methodsAt(path: string): string[] {
    const found = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) for (const m of r.methods) found.add(m);
    return [...found].sort();
  }

  /** Fastify not-found handler answering 404 or 405 as problem+json. */
  notFoundHandler(): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
    return (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = this.methodsAt(path).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
      if (allowed.length && !allowed.includes(request.method)) {
        return sendProblem(reply, new ApiError('method_not_allowed', `${request.method} is not served at ${path}; use ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } }), request.url);
      }
      return sendProblem(reply, ApiError.notFound(`nothing is served at ${request.method} ${path}`), request.url);
    };
  }
}
