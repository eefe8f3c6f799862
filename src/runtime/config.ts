import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SystemModel } from '../model/system-model.ts';
import { hostPortOf, UNPARSABLE_URL } from '../adapters/storage/connection-address.ts';
import { ConfigError } from './config-error.ts';
import { RedisUrlError, redisUrlFrom } from '../adapters/redis/redis-url.ts';
import { signatureSecretsOf } from './request-signature.ts';
import type { FieldCipher } from '../adapters/storage/storage.ts';
import { fieldCipherOf } from './field-keys.ts';
import { ReplicaUrlError, replicaUrlsFrom } from '../adapters/storage/replicas/replica-urls.ts';

export { ConfigError } from './config-error.ts';

/**
 * Server configuration from flags and the environment, validated up front so a bad setting is one
 * clear line naming the flag or variable, not a stack trace at the first request.
 *
 * | setting | flag | variable | default |
 * | --- | --- | --- | --- |
 * | port | --port | PORT | 3000 (0: any free port) |
 * | host | --host | HOST | 127.0.0.1 |
 * | database | | DATABASE_URL | SQLite file in the data folder |
 * | read replicas (PostgreSQL only) | | DATABASE_REPLICA_URLS (comma-separated) | none: every read goes to DATABASE_URL |
 * | data folder | | ARCHSPEC_DATA_DIR | `.data` beside the spec |
 * | token secret | | ARCHSPEC_JWT_SECRET | generated into the data folder on the embedded default or with --dev |
 * | client address behind proxies | | TRUST_PROXY | false (see {@link parseTrustProxy}); a component service (`--component`) believes loopback and private addresses (cli/serve-component.ts) |
 * | one component of the spec | --component | | all of them in one process |
 * | where the gateway reaches service NAME | | ARCHSPEC_SERVICE_<NAME>_URL | `http://<name>:<port>` (gateway/service-addresses.ts) |
 * | signature secrets | | as the spec names them (`signature.secret: env:NAME` or `file:path`) | none: serve refuses to start |
 * | field encryption key | | as `security.encryption.key` names it (`env:NAME` or `file:path`) | generated into the data folder on the embedded default or with --dev (field-keys.ts) |
 */

/** Flags of `archspec serve` that configuration reads. */
export interface ServeFlags {
  port?: string;
  host?: string;
  /** Development mode: a missing token secret or field encryption key is generated (with a warning) even with DATABASE_URL set. */
  dev?: boolean;
}

export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Undefined when the model's auth needs no secret. */
  jwtSecret?: string;
  /** Encrypts the fields the spec marks encrypted at rest; undefined when none is. */
  fieldCipher?: FieldCipher;
  /** Which proxies' X-Forwarded-For to believe for the client address (rate limits, login throttle, logs). */
  trustProxy: boolean | number | string;
  /** Read replicas of the PostgreSQL database (`DATABASE_REPLICA_URLS`), in order; empty or absent: none. */
  replicaUrls?: string[];
  /** Things the operator should know (a generated secret). */
  warnings: string[];
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
/** Smallest token secret accepted, in bytes (HS256 wants at least the hash size). */
export const MIN_SECRET_BYTES = 32;
const SECRET_FILE = 'jwt-secret';

/** The port from `--port` or PORT: an integer 0..65535. */
export function parsePort(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  const [text, source] = flag !== undefined ? [flag, '--port'] : env.PORT !== undefined ? [env.PORT, 'PORT'] : [String(DEFAULT_PORT), 'default'];
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) throw new ConfigError(`${source} "${text}" is not a port number (0-65535)`, 'pass --port 3000 or set PORT=3000');
  return port;
}

/** The data folder: ARCHSPEC_DATA_DIR, else `.data` beside the spec. */
export function dataDirOf(specFile: string, env: NodeJS.ProcessEnv): string {
  return env.ARCHSPEC_DATA_DIR ? resolve(env.ARCHSPEC_DATA_DIR) : join(dirname(resolve(specFile)), '.data');
}

function needsSecret(model: SystemModel): boolean {
  return model.api.auth.method === 'password+jwt' || model.api.auth.method === 'api-key' || model.api.auth.apiKeys;
}

/**
 * The token secret: ARCHSPEC_JWT_SECRET when set (at least 32 bytes); otherwise, on the embedded
 * database or with --dev, one generated once into `<dataDir>/jwt-secret` (mode 600) with a warning;
 * otherwise a ConfigError naming the variable.
 */
export function jwtSecretOf(model: SystemModel, env: NodeJS.ProcessEnv, dataDir: string, allowGenerated: boolean, warnings: string[]): string | undefined {
  if (!needsSecret(model)) return undefined;
  const given = env.ARCHSPEC_JWT_SECRET;
  if (given !== undefined && given !== '') {
    if (Buffer.byteLength(given, 'utf8') < MIN_SECRET_BYTES) {
      throw new ConfigError(`ARCHSPEC_JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes`, 'generate one with `openssl rand -base64 48`');
    }
    return given;
  }
  if (!allowGenerated) {
    throw new ConfigError('ARCHSPEC_JWT_SECRET is not set (it signs access tokens)', 'set ARCHSPEC_JWT_SECRET to at least 32 random bytes, e.g. `openssl rand -base64 48`');
  }
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    warnings.push(`ARCHSPEC_JWT_SECRET is not set; using the development secret in ${file}`);
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  warnings.push(`ARCHSPEC_JWT_SECRET is not set; generated a development secret into ${file} (set the variable in production)`);
  return secret;
}

/**
 * TRUST_PROXY: unset or `false` (the default: the socket's address is the client), `true` (believe
 * every proxy: only behind a proxy that overwrites X-Forwarded-For), a number of proxy hops, or a
 * comma-separated list of proxy addresses or CIDR ranges (Fastify's trustProxy forms).
 */
export function parseTrustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const text = env.TRUST_PROXY?.trim();
  if (!text || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => /^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(e))) return entries.join(',');
  throw new ConfigError(`TRUST_PROXY "${text}" is not true, false, a hop count or a list of proxy addresses`, 'e.g. TRUST_PROXY=1 behind one load balancer, or TRUST_PROXY=10.0.0.0/8');
}

/** REDIS_URL, when set, must be a Redis URL: checked here so a typo is one line at start, not a silent fallback to memory. */
function checkRedisUrl(env: NodeJS.ProcessEnv): void {
  try {
    redisUrlFrom(env);
  } catch (e) {
    if (e instanceof RedisUrlError) throw new ConfigError(e.message, e.hint);
    throw e;
  }
}

/** DATABASE_REPLICA_URLS, checked here so a malformed entry (or replicas of a SQLite database) is one line at start. */
function replicaUrlsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    return replicaUrlsFrom(env);
  } catch (e) {
    if (e instanceof ReplicaUrlError) throw new ConfigError(e.message, e.hint);
    throw e;
  }
}

/** Resolves and validates the serve configuration. `embedded`: the database is the default SQLite file. */
export function resolveServeConfig(model: SystemModel, specFile: string, flags: ServeFlags, env: NodeJS.ProcessEnv, embedded: boolean): ServeConfig {
  const warnings: string[] = [];
  const port = parsePort(flags.port, env);
  const host = flags.host ?? env.HOST ?? DEFAULT_HOST;
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new ConfigError(`host "${host}" is not a host name or address`, 'pass --host 0.0.0.0 to listen on every interface');
  const dataDir = dataDirOf(specFile, env);
  const jwtSecret = jwtSecretOf(model, env, dataDir, embedded || flags.dev === true, warnings);
  const fieldCipher = fieldCipherOf(model, dirname(resolve(specFile)), env, dataDir, embedded || flags.dev === true, warnings);
  // Checked here so a missing webhook secret is one line naming the variable; buildServer reads them again.
  signatureSecretsOf(model, dirname(resolve(specFile)), env);
  const trustProxy = parseTrustProxy(env);
  checkRedisUrl(env);
  const replicaUrls = replicaUrlsOf(env);
  return { port, host, dataDir, trustProxy, replicaUrls, ...(jwtSecret ? { jwtSecret } : {}), ...(fieldCipher ? { fieldCipher } : {}), warnings };
}

/** `host:port` of a database URL, for "cannot reach" messages (never the credentials). */
export function databaseAddress(url: string): string {
  const address = hostPortOf(url);
  return address === UNPARSABLE_URL ? 'the database in DATABASE_URL' : address;
}
