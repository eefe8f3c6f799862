import { ConfigError } from '../config-error.ts';

/**
 * Where the gateway reaches each service: `ARCHSPEC_SERVICE_<NAME>_URL` (the component name
 * upper-cased, `-` as `_`: `ARCHSPEC_SERVICE_PAYMENTS_API_URL` for `payments-api`), else
 * `http://<name>:<port>`, the address a Kubernetes Service named after the component gives inside
 * the cluster when the services listen on the gateway's port.
 */

/** The variable that overrides the address of service `name`. */
export function serviceUrlVariable(name: string): string {
  return `ARCHSPEC_SERVICE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * The origin (`http://links:3000`) of each of `services`, from the environment or the default.
 * A URL must be `http:` or `https:` with a host, and nothing after the origin but `/`: the gateway
 * forwards each request's own path, so a path, query, fragment or credentials would be lost or leak.
 *
 * @throws ConfigError naming the variable when its value is not such a URL, or when it is unset and
 *   `port` is 0 (the default address needs a real port)
 * @example
 * serviceAddresses(['links'], { ARCHSPEC_SERVICE_LINKS_URL: 'http://127.0.0.1:4001' }, 3000) // Map { 'links' => 'http://127.0.0.1:4001' }
 * serviceAddresses(['links'], {}, 3000)                                                       // Map { 'links' => 'http://links:3000' }
 */
export function serviceAddresses(services: readonly string[], env: Record<string, string | undefined>, port: number): Map<string, string> {
  const addresses = new Map<string, string>();
  for (const name of services) {
    const variable = serviceUrlVariable(name);
    const given = env[variable]?.trim();
    if (!given && port === 0) {
      throw new ConfigError(`${variable} is not set, and the default http://${name}:<port> needs the gateway's port, which is 0 (any free port)`, `set ${variable}=http://${name}:3000, or serve on a fixed --port`);
    }
    addresses.set(name, given ? originOf(variable, given) : `http://${name}:${port}`);
  }
  return addresses;
}

function originOf(variable: string, text: string): string {
  const example = `e.g. ${variable}=http://${variable.slice('ARCHSPEC_SERVICE_'.length, -'_URL'.length).toLowerCase().replace(/_/g, '-')}:3000`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${variable} "${text}" is not a URL`, example);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${variable} must be an http:// or https:// URL, not ${url.protocol}`, example);
  if (!url.hostname) throw new ConfigError(`${variable} "${text}" names no host`, example);
  if (url.username || url.password) throw new ConfigError(`${variable} must not carry credentials (the caller's own credentials are forwarded)`, example);
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`${variable} must be an origin only (scheme, host, port): the gateway forwards each request's own path`, example);
  }
  return url.origin;
}
