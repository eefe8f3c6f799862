import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Endpoint, SystemModel } from '../model/system-model.ts';
import { ApiError } from './api-error.ts';
import { ConfigError } from './config-error.ts';

/**
 * The signature stage: endpoints whose spec declares `signature: { header, secret, algorithm }`
 * (machine callers such as a payment processor's webhooks) are verified after the body is read and
 * before validation and the handler. The header must carry the HMAC of the exact raw body under the
 * shared secret, in hex, optionally prefixed with the hash name (`sha256=<hex>`); anything else is a
 * 401 `unauthenticated` naming the header. Secrets are read once, at start-up.
 */

/** An endpoint's declared signature check. */
export type EndpointSignature = NonNullable<Endpoint['signature']>;

const HASHES: Record<EndpointSignature['algorithm'], 'sha256' | 'sha512'> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };

/**
 * The shared secret of every endpoint that declares a signature, by endpoint key: `env:NAME` from
 * `env`, `file:path` read relative to `specDir` (one trailing newline dropped).
 *
 * @throws ConfigError naming the variable or file when a secret is unset, empty or unreadable
 */
export function signatureSecretsOf(model: SystemModel, specDir: string, env: NodeJS.ProcessEnv): Map<string, Buffer> {
  const secrets = new Map<string, Buffer>();
  for (const endpoint of model.api.endpoints) {
    if (endpoint.signature) secrets.set(endpoint.key, readSecret(endpoint.key, endpoint.signature.secret, specDir, env));
  }
  return secrets;
}

function readSecret(key: string, reference: string, specDir: string, env: NodeJS.ProcessEnv): Buffer {
  const purpose = `${key} verifies request signatures with it`;
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (!value) throw new ConfigError(`${name} is not set (${purpose})`, `set ${name} to the secret shared with the caller of ${key}`);
    return Buffer.from(value, 'utf8');
  }
  const file = resolve(specDir, reference.replace(/^file:/, ''));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (${purpose})`, 'create the file or fix signature.secret (paths are relative to the spec)');
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) throw new ConfigError(`${file} is empty (${purpose})`, 'write the secret shared with the caller into the file');
  return Buffer.from(secret, 'utf8');
}

/**
 * Why `header` is not the signature of `rawBody` under `secret`, or undefined when it is. The
 * comparison runs in constant time (`timingSafeEqual`) over digests of equal length.
 *
 * @example
 * signatureProblem({ header: 'X-Signature', secret: 'env:S', algorithm: 'hmac-sha256' }, key, '{"a":1}', 'sha256=3f0a...') // undefined
 */
export function signatureProblem(signature: EndpointSignature, secret: Buffer, rawBody: string, header: string | string[] | undefined): string | undefined {
  const hash = HASHES[signature.algorithm];
  const expected = `the HMAC-${hash.toUpperCase()} of the raw request body with the shared secret, in hex (optionally prefixed ${hash}=)`;
  if (header === undefined || header === '') return `send the ${signature.header} header: ${expected}.`;
  if (Array.isArray(header)) return `send exactly one ${signature.header} header.`;
  const hex = header.trim().replace(new RegExp(`^${hash}=`, 'i'), '');
  const digest = createHmac(hash, secret).update(rawBody, 'utf8').digest();
  const given = hex.length === digest.length * 2 && /^[0-9a-f]+$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
  if (!given || !timingSafeEqual(given, digest)) return `the ${signature.header} header is not ${expected}.`;
  return undefined;
}

/**
 * Adds the signature stage (a preValidation hook, so it sees the parsed request with its raw body and
 * runs before the body is validated): requests to an endpoint in `secrets` without a valid signature
 * are answered 401 before any handler code runs. Register before the routes.
 */
export function registerSignatureChecks(app: FastifyInstance, model: SystemModel, secrets: ReadonlyMap<string, Buffer>): void {
  const checks = new Map<string, { signature: EndpointSignature; secret: Buffer }>();
  for (const endpoint of model.api.endpoints) {
    const secret = secrets.get(endpoint.key);
    if (endpoint.signature && secret) checks.set(endpoint.key, { signature: endpoint.signature, secret });
  }
  if (checks.size === 0) return;
  app.addHook('preValidation', async (request) => {
    const key = request.routeOptions.config.endpoint;
    const check = key === undefined ? undefined : checks.get(key);
    if (!check) return;
    // The JSON parser keeps the text as received; other bodies Fastify reads as text arrive as the body itself.
    const raw = request.rawBody ?? (typeof request.body === 'string' ? request.body : '');
    const problem = signatureProblem(check.signature, check.secret, raw, request.headers[check.signature.header.toLowerCase()]);
    if (problem) throw ApiError.unauthenticated(`${key} accepts only signed requests: ${problem}`);
  });
}
