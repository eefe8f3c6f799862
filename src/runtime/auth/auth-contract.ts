import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Endpoint, Entity, SystemModel } from '../../model/system-model.ts';
import type { Storage, SystemStore, RecordStore } from '../../adapters/storage/storage.ts';
import type { CounterStore } from '../../adapters/counters/counter-store.ts';
import type { LoginLimitScope } from './login-throttle.ts';

/**
 * The contract between the request pipeline (server, CRUD routes) and authentication/authorization.
 * The auth module implements it in `create-auth.ts`; the pipeline only calls these functions.
 */

/** Who is calling, once authenticated. */
export interface Caller {
  userId: string;
  roles: string[];
  via: 'jwt' | 'api-key' | 'oidc';
  /** The API key's id when `via` is `api-key` (rate limits and audit rows name the key). */
  apiKeyId?: string;
}

/** The outcome of an authorization check for one endpoint. */
export type Decision =
  | { allowed: true; scope: 'own' | 'all' }
  | { allowed: false; code: 'unauthenticated' | 'forbidden'; detail: string };

export interface AuthService {
  /**
   * Reads the caller from the request (Authorization: Bearer <jwt>, or X-API-Key). Undefined when
   * no credentials were sent; throws ApiError('invalid_token') for bad, expired, revoked, alg:none
   * or wrongly signed tokens.
   */
  authenticate(request: FastifyRequest): Promise<Caller | undefined>;
  /**
   * Adds /auth/login, /auth/refresh, /auth/logout and /auth/api-keys under the API base path. The
   * server passes its counter store, so the login throttle counts where the rate limits count.
   */
  registerRoutes(app: FastifyInstance, services?: AuthRouteServices): void;
  /**
   * Checks a new account's password against the policy (ApiError validation_failed otherwise) and
   * hashes it. Called before the create transaction: argon2 takes tens of milliseconds, which must
   * not be spent holding the database's write lock.
   */
  preparePassword(password: string, email: string | undefined): Promise<PreparedPassword>;
  /** Stores a prepared password for a new account (inside the create transaction of the user entity). */
  storePassword(tx: SystemStore & RecordStore, userId: string, prepared: PreparedPassword): Promise<void>;
}

/** What the server lends the auth routes. */
export interface AuthRouteServices {
  /** Where the login throttle counts failed attempts (default: a memory store of the auth service's own). */
  counters?: CounterStore;
  /** Called for each login attempt the throttle refuses, with the counts that refused it. */
  onLoginRefused?: (scopes: LoginLimitScope[]) => void;
}

/** A password that passed the policy, as its argon2id hash. */
export interface PreparedPassword {
  readonly hash: string;
}

export interface AuthOptions {
  /** Secret for HS256 access tokens (at least 32 bytes), from ARCHSPEC_JWT_SECRET. */
  jwtSecret: string;
  /** Clock for tests. */
  now?: () => Date;
}

export type CreateAuth = (model: SystemModel, storage: Storage, options: AuthOptions) => AuthService;

/** Whether `caller` may call `endpoint`, and with which scope. Implemented in `authorize.ts`. */
export type Authorize = (model: SystemModel, endpoint: Endpoint, caller: Caller | undefined) => Decision;

/** The fields of `entity` that `caller` may see in a response (PII only to piiRoles or the owner). */
export type VisibleFields = (model: SystemModel, entity: Entity, caller: Caller | undefined, isOwner: boolean) => Set<string>;
