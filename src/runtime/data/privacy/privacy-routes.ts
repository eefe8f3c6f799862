import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
// Brings @fastify/swagger's `tags`/`summary` into FastifySchema.
import type {} from '@fastify/swagger';
import type { Storage } from '../../../adapters/storage/storage.ts';
import { entityOf } from '../../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../../model/system-model.ts';
import { allows } from '../../../model/normalize/permission.ts';
import { ApiError } from '../../api-error.ts';
import type { Caller } from '../../auth/auth-contract.ts';
import { fastifyUrl } from '../../authorization.ts';
import { ConfigError } from '../../config-error.ts';
import { idSchema } from '../../validation.ts';
import { eraseSubject } from './erase-subject.ts';
import { exportSubject } from './export-subject.ts';
import { erasableEntity, privacyRoutes, routeShape, type PrivacyRoute } from './privacy-paths.ts';

/** What the personal-data routes need. */
export interface PrivacyOptions {
  /** The server's storage (with its data-policy wrappers: audit rows are written through it). */
  storage: Storage;
  /** Records per entity an export holds (default 10 000). */
  exportLimit?: number;
  now?: () => Date;
}

/**
 * Adds the personal-data routes of the spec's `erasable` rule (see privacy-paths.ts) under the API
 * base path:
 *
 * - `GET /privacy/export`, `POST /privacy/erase`: the caller's own account. A signed-in person only
 *   (a bearer token): an API key can neither take out nor destroy the account it belongs to.
 * - `GET /privacy/subjects/{id}/export`, `POST /privacy/subjects/{id}/erase`: any subject, for
 *   callers whose roles may delete every record of the subject entity (`User:delete`, `User:*` or
 *   `"*"`), the strongest right the spec grants over a subject.
 *
 * After an erasure the account's access tokens are refused on this instance at once (its password,
 * refresh tokens and API keys are gone from the database); other instances refuse them when they
 * expire (`api.auth.accessTtl`), as after a logout.
 *
 * @throws ConfigError when a spec endpoint takes one of these routes' method and path
 * @example
 * registerPrivacyRoutes(app, model, { storage });
 */
export function registerPrivacyRoutes(app: FastifyInstance, model: SystemModel, options: PrivacyOptions): void {
  const routes = privacyRoutes(model);
  const subjectName = erasableEntity(model);
  if (!subjectName || routes.length === 0) return;
  refuseClashes(model, routes);
  const subject = entityOf(model, subjectName);
  const now = options.now ?? (() => new Date());
  const erased = new ErasedAccounts(model.api.auth.accessTtlMs);
  // Callback style: this runs on every request, and most have nothing to wait for.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.caller && erased.has(request.caller.userId, now().getTime())) {
      return done(ApiError.invalidToken('This account was erased; its tokens no longer work.'));
    }
    done();
  });

  const sendExport = async (reply: FastifyReply, id: string | number) => {
    const data = await exportSubject(options.storage, model, subject.name, id, { limitPerEntity: options.exportLimit, now: now() });
    if (!data) throw ApiError.notFound(`There is no ${subject.name} ${id}.`);
    const file = `${slug(model.system.name)}-${slug(subject.name)}-${slug(String(id))}-export.json`;
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${file}"`).send(JSON.stringify(data, null, 2));
  };
  const erase = async (reply: FastifyReply, id: string | number) => {
    const summary = await eraseSubject(options.storage, model, subject.name, id, now);
    if (!summary) throw ApiError.notFound(`There is no ${subject.name} ${id}.`);
    if (summary.credentialsRemoved) erased.add(summary.subject.id, now().getTime());
    return reply.header('cache-control', 'no-store').send(summary);
  };
  const params = { type: 'object', required: ['id'], properties: { id: idSchema(subject) } };
  const schemaOf = (route: PrivacyRoute) => ({ tags: ['privacy'], summary: SUMMARIES[route.operationId], ...(route.self ? {} : { params }) });

  for (const route of routes) {
    const url = fastifyUrl(model, route.route);
    if (route.self) {
      app.route({
        method: route.method, url, schema: schemaOf(route),
        handler: async (request, reply) => {
          const caller = person(request);
          const id = subjectId(subject, caller.userId);
          return route.operationId === 'privacyExportMine' ? sendExport(reply, id) : erase(reply, id);
        },
      });
    } else {
      app.route<{ Params: { id: string | number } }>({
        method: route.method, url, schema: schemaOf(route),
        handler: async (request, reply) => {
          mayActFor(model, subject, request.caller);
          return route.operationId === 'privacyExportSubject' ? sendExport(reply, request.params.id) : erase(reply, request.params.id);
        },
      });
    }
  }
}

const SUMMARIES: Record<PrivacyRoute['operationId'], string> = {
  privacyExportMine: 'Download all personal data stored about the signed-in account (GDPR Art. 15, 20)',
  privacyEraseMine: 'Erase the signed-in account and its personal data (GDPR Art. 17)',
  privacyExportSubject: 'Download all personal data stored about one data subject',
  privacyEraseSubject: "Erase one data subject's account and personal data",
};

/** Fails start-up when a spec endpoint takes a personal-data route. */
function refuseClashes(model: SystemModel, routes: PrivacyRoute[]): void {
  const ours = new Map(routes.map((r) => [routeShape(r.method, r.route), r]));
  for (const endpoint of model.api.endpoints) {
    const clash = ours.get(routeShape(endpoint.method, endpoint.route));
    if (clash) {
      throw new ConfigError(
        `the spec's endpoint "${endpoint.key}" takes the route of the built-in personal-data route ${clash.method} ${model.api.basePath}${clash.route}`,
        `rename the endpoint: with an erasable rule, archspec serve adds ${routes.map((r) => `${r.method} ${r.route}`).join(', ')} under ${model.api.basePath || '/'}`,
      );
    }
  }
}

/** The caller of a self-service route: a signed-in person. */
function person(request: FastifyRequest): Caller {
  const caller = request.caller;
  if (!caller) throw ApiError.unauthenticated();
  if (caller.via === 'api-key') throw ApiError.forbidden('An API key cannot export or erase the account it belongs to; sign in with a bearer token.');
  return caller;
}

/** Admits callers whose roles may delete every record of the subject entity. */
function mayActFor(model: SystemModel, subject: Entity, caller: Caller | undefined): void {
  if (!caller) throw ApiError.unauthenticated();
  const granted = model.security.roles.some((r) => caller.roles.includes(r.name) && allows(r.permissions, subject.name, 'delete') === 'all');
  if (!granted) throw ApiError.forbidden(`Acting for a data subject needs a role that may delete every ${subject.name} (${subject.name}:delete).`);
}

/** The caller's user id as the subject entity's id type. */
function subjectId(subject: Entity, userId: string): string | number {
  return subject.id.type === 'integer' ? Number(userId) : userId;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'x';
}

/** Erased accounts whose access tokens may still be unexpired, remembered one access-token lifetime. */
class ErasedAccounts {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  add(userId: string, atMs: number): void {
    for (const [id, end] of this.until) if (end <= atMs) this.until.delete(id);
    this.until.set(userId, atMs + this.ttlMs);
  }

  has(userId: string, atMs: number): boolean {
    const end = this.until.get(userId);
    return end !== undefined && end > atMs;
  }
}
