import type { SystemModel } from '../../model/system-model.ts';

/**
 * Which names are masked in logs. Credentials (passwords, tokens, secrets, API keys,
 * Authorization and Cookie headers) are always masked; the model's `sensitive` fields too unless
 * `observability.logs.redact` is `none`; its `pii` fields when it is `pii` (the default).
 */

/** Names that carry credentials, masked whatever the spec says. */
const CREDENTIALS = [
  'password', 'newPassword', 'currentPassword', 'passwordHash', 'token', 'accessToken', 'refreshToken', 'idToken',
  'apiKey', 'secret', 'clientSecret', 'authorization', 'cookie', 'set-cookie', 'x-api-key',
];
/** A field named like a credential is treated as one (e.g. a card processor's `processorToken`). */
const CREDENTIAL_NAME = /password|secret|token|apikey/i;
/** How deep into a logged object masked names are looked for. */
const MAX_DEPTH = 8;

/** The replacement written instead of a masked value. */
export const REDACTED = '[redacted]';

/** Names (fields and headers) masked in logs for this model, sorted. */
export function redactedNames(model: SystemModel): string[] {
  const mode = model.observability.logs.redact;
  const names = new Set(CREDENTIALS);
  const fields = [...model.entities.flatMap((e) => e.fields), ...model.api.endpoints.flatMap((ep) => [...ep.body, ...ep.query])];
  for (const field of fields) {
    if (CREDENTIAL_NAME.test(field.name)) names.add(field.name);
    else if (field.sensitive && mode !== 'none') names.add(field.name);
    else if (field.pii && mode === 'pii') names.add(field.name);
  }
  return [...names].sort();
}

/**
 * `value` with the value of every key in `names` replaced by {@link REDACTED}, at any depth (to
 * {@link MAX_DEPTH}) of plain objects and arrays. Class instances (errors, Fastify requests) are
 * left alone. Nothing is mutated: objects on the path to a masked key are copied, the rest shared.
 *
 * pino's own `redact` takes fixed paths; matching a name at every depth needs wildcard paths, and
 * with the dozen or more names of a real model that costs 50-200 us per line. One walk costs
 * about as much as serializing the line.
 */
export function maskValues<T>(value: T, names: ReadonlySet<string>, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const masked = maskValues(item, names, depth + 1);
      if (masked !== item) (copy ??= [...value])[i] = masked;
    });
    return (copy ?? value) as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const masked = names.has(key) ? REDACTED : maskValues(item, names, depth + 1);
    if (masked !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = masked;
  }
  return (copy ?? value) as T;
}

/**
 * `url` with the values of masked query parameters replaced (`?email=a@b.io` -> `?email=[redacted]`),
 * including filter forms such as `email[like]=`.
 */
export function redactUrl(url: string, names: ReadonlySet<string>): string {
  if (!url.includes('?')) return url;
  return url.replace(/([?&])([^=&#]+)=([^&#]*)/g, (match, separator: string, key: string) => {
    let name = key;
    try { name = decodeURIComponent(key); } catch { /* keep the raw key */ }
    return names.has(name.replace(/\[[^\]]*\]$/, '')) ? `${separator}${key}=${REDACTED}` : match;
  });
}
