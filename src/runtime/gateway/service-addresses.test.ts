import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.ts';
import { serviceAddresses, serviceUrlVariable } from './service-addresses.ts';

describe('serviceUrlVariable', () => {
  it('upper-cases the component name and writes dashes as underscores', () => {
    expect(serviceUrlVariable('links')).toBe('ARCHSPEC_SERVICE_LINKS_URL');
    expect(serviceUrlVariable('payments-api')).toBe('ARCHSPEC_SERVICE_PAYMENTS_API_URL');
  });

  it('gives every component name a variable name a shell accepts', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/), (name) => {
      expect(serviceUrlVariable(name)).toMatch(/^[A-Z_][A-Z0-9_]*$/);
    }));
  });
});

describe('serviceAddresses', () => {
  it('defaults to the Kubernetes Service name on the gateway\'s port', () => {
    expect(serviceAddresses(['links', 'payments-api'], {}, 3000)).toEqual(new Map([['links', 'http://links:3000'], ['payments-api', 'http://payments-api:3000']]));
  });

  it('takes ARCHSPEC_SERVICE_<NAME>_URL as an origin (a trailing slash is fine)', () => {
    const env = { ARCHSPEC_SERVICE_LINKS_URL: ' http://127.0.0.1:4001/ ', ARCHSPEC_SERVICE_PAYMENTS_API_URL: 'https://payments.internal' };
    expect(serviceAddresses(['links', 'payments-api'], env, 3000)).toEqual(new Map([['links', 'http://127.0.0.1:4001'], ['payments-api', 'https://payments.internal']]));
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['ftp://links:21', 'must be an http:// or https:// URL, not ftp:'],
    ['http://user:secret@links:3000', 'must not carry credentials'],
    ['http://links:3000/api', 'must be an origin only'],
    ['http://links:3000/?x=1', 'must be an origin only'],
  ])('refuses %s in one line naming the variable', (value, message) => {
    const run = () => serviceAddresses(['links'], { ARCHSPEC_SERVICE_LINKS_URL: value }, 3000);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`ARCHSPEC_SERVICE_LINKS_URL`);
    expect(run).toThrow(message);
    try { run(); } catch (e) {
      expect((e as Error).message).not.toContain('secret');
      expect((e as ConfigError).hint).toContain('ARCHSPEC_SERVICE_LINKS_URL=http://links:3000');
    }
  });

  it('asks for the variable when the gateway listens on any free port (no default address then)', () => {
    expect(() => serviceAddresses(['links'], {}, 0)).toThrow('ARCHSPEC_SERVICE_LINKS_URL is not set');
    expect(serviceAddresses(['links'], { ARCHSPEC_SERVICE_LINKS_URL: 'http://127.0.0.1:4001' }, 0).get('links')).toBe('http://127.0.0.1:4001');
  });
});
