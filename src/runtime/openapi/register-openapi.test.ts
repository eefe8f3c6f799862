import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import { exampleModel } from '../test-support/example-models.ts';
import { registerOpenApi } from './register-openapi.ts';

const linkly = await exampleModel('linkly');
const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
if (noChromium && process.env.CI) throw new Error(`${CHROMIUM} is required in CI for the docs page test (apt-get install -y chromium)`);

async function app() {
  const server = Fastify();
  registerOpenApi(server, linkly);
  await server.ready();
  return server;
}

describe('registerOpenApi', () => {
  it('serves the document at /openapi.json', async () => {
    const res = await (await app()).inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Linkly' } });
  });

  it('serves a docs page that references nothing but this server, under a self-only CSP', async () => {
    const res = await (await app()).inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).not.toMatch(/https?:\/\//);
    const refs = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toHaveLength(4);
    for (const ref of refs) expect(ref).toMatch(/^\/docs\/assets\//);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it('serves every asset the page references from the installed packages', async () => {
    const server = await app();
    const page = (await server.inject('/docs')).body;
    for (const ref of [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const asset = await server.inject(ref);
      expect(asset.statusCode, ref).toBe(200);
      expect(asset.rawPayload.length, ref).toBeGreaterThan(100);
    }
    const init = (await server.inject('/docs/assets/docs-init.js')).body;
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
    expect((await server.inject('/docs/assets/index.html')).statusCode).toBe(404);
  });

  it.skipIf(noChromium)('renders every operation in a browser with no request leaving the server', async () => {
    const server = await app();
    const origin = await server.listen({ port: 0, host: '127.0.0.1' });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
        elsewhere.push(url);
        return route.abort();
      });
      await page.goto(`${origin}/docs`);
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      const operations = await page.locator('.opblock').count();
      const expected = Object.values((await server.inject('/openapi.json')).json().paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0);
      expect(operations).toBe(expected);
      expect(elsewhere).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
