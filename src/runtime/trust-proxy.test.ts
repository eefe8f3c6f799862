import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './config.ts';
import { fastifyTrustProxy } from './server.ts';

/** The client address Fastify resolves for a request that came through two proxies, under `TRUST_PROXY=text`. */
async function clientIp(text: string | undefined): Promise<string> {
  const app = Fastify({ trustProxy: fastifyTrustProxy(parseTrustProxy(text === undefined ? {} : { TRUST_PROXY: text })) });
  app.get('/', async (request) => request.ip);
  const response = await app.inject({ url: '/', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } });
  await app.close();
  return response.body;
}

describe('TRUST_PROXY as Fastify applies it', () => {
  it('trusts as many proxy hops as the number says (regression: Fastify 5.12 ignored a bare hop count)', async () => {
    expect(await clientIp(undefined)).toBe('10.0.0.2');
    expect(await clientIp('false')).toBe('10.0.0.2');
    expect(await clientIp('1')).toBe('198.51.100.7');
    expect(await clientIp('2')).toBe('203.0.113.9');
    expect(await clientIp('true')).toBe('203.0.113.9');
  });

  it('trusts the listed proxy addresses and ranges only', async () => {
    expect(await clientIp('10.0.0.0/8')).toBe('198.51.100.7');
    expect(await clientIp('10.0.0.0/8,198.51.100.0/24')).toBe('203.0.113.9');
    expect(await clientIp('192.168.0.0/16')).toBe('10.0.0.2');
  });
});
