import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SystemModel } from '../model/system-model.ts';
import { ConfigError } from './config-error.ts';
import { signatureProblem, signatureSecretsOf, type EndpointSignature } from './request-signature.ts';
import { exampleModel } from './test-support/example-models.ts';

const SECRET = Buffer.from('whsec_test');
const BODY = '{"type":"charge.succeeded", "data":{}}';
const sha256: EndpointSignature = { header: 'X-Signature', secret: 'env:HOOK', algorithm: 'hmac-sha256' };
const sha512: EndpointSignature = { ...sha256, algorithm: 'hmac-sha512' };
const hmac = (hash: string, body = BODY, secret: Buffer = SECRET) => createHmac(hash, secret).update(body).digest('hex');

describe('signatureProblem', () => {
  it('accepts the hex HMAC of the raw body, in either case and with its hash-name prefix', () => {
    for (const header of [hmac('sha256'), hmac('sha256').toUpperCase(), `sha256=${hmac('sha256')}`, ` SHA256=${hmac('sha256')} `]) {
      expect(signatureProblem(sha256, SECRET, BODY, header), header).toBeUndefined();
    }
    expect(signatureProblem(sha512, SECRET, BODY, `sha512=${hmac('sha512')}`)).toBeUndefined();
  });

  it('rejects another secret, another body, another algorithm and what is not hex, naming the header', () => {
    const wrong = [
      hmac('sha256', BODY, Buffer.from('other')), hmac('sha256', `${BODY}\n`), hmac('sha512'), `sha512=${hmac('sha256')}`,
      hmac('sha256').slice(0, -2), `${hmac('sha256').slice(0, -1)}g`, 'v1=abc',
    ];
    for (const header of wrong) expect(signatureProblem(sha256, SECRET, BODY, header), header).toMatch(/^the X-Signature header is not the HMAC-SHA256/);
    expect(signatureProblem(sha512, SECRET, BODY, hmac('sha256'))).toMatch(/HMAC-SHA512/);
  });

  it('asks for the header when it is missing or empty, and for one when it is repeated', () => {
    expect(signatureProblem(sha256, SECRET, BODY, undefined)).toMatch(/^send the X-Signature header/);
    expect(signatureProblem(sha256, SECRET, BODY, '')).toMatch(/^send the X-Signature header/);
    expect(signatureProblem(sha256, SECRET, BODY, [hmac('sha256'), hmac('sha256')])).toBe('send exactly one X-Signature header.');
  });
});

describe('signatureSecretsOf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'archspec-signature-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The payments model with its webhook secret referenced as `secret`. */
  async function paymentsWith(secret: string): Promise<SystemModel> {
    const model = await exampleModel('payments');
    const endpoints = model.api.endpoints.map((e) => (e.signature ? { ...e, signature: { ...e.signature, secret } } : e));
    return { ...model, api: { ...model.api, endpoints } };
  }

  it('reads env: secrets by endpoint key and names the variable when it is unset or empty', async () => {
    const model = await exampleModel('payments');
    expect(signatureSecretsOf(model, dir, { PROCESSOR_WEBHOOK_SECRET: 's3cret' })).toEqual(new Map([['POST /webhooks/processor', Buffer.from('s3cret')]]));
    for (const env of [{}, { PROCESSOR_WEBHOOK_SECRET: '' }]) {
      expect(() => signatureSecretsOf(model, dir, env)).toThrow(ConfigError);
      expect(() => signatureSecretsOf(model, dir, env)).toThrow('PROCESSOR_WEBHOOK_SECRET is not set (POST /webhooks/processor verifies request signatures with it)');
    }
  });

  it('reads file: secrets relative to the spec without their final newline, and names a missing or empty file', async () => {
    writeFileSync(join(dir, 'hook.secret'), 'from-a-file\n');
    expect(signatureSecretsOf(await paymentsWith('file:hook.secret'), dir, {}).get('POST /webhooks/processor')).toEqual(Buffer.from('from-a-file'));
    const absent = await paymentsWith('file:absent.secret');
    expect(() => signatureSecretsOf(absent, dir, {})).toThrow(`cannot read ${join(dir, 'absent.secret')}: ENOENT`);
    writeFileSync(join(dir, 'empty.secret'), '\n');
    const empty = await paymentsWith('file:empty.secret');
    expect(() => signatureSecretsOf(empty, dir, {})).toThrow(`${join(dir, 'empty.secret')} is empty`);
  });

  it('needs nothing for a spec without signed endpoints', async () => {
    expect(signatureSecretsOf(await exampleModel('linkly'), dir, {}).size).toBe(0);
  });
});
