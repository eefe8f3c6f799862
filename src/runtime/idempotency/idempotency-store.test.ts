import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { idempotencyKeyOf, requestHashOf, scopedKeyId } from './idempotency-key.ts';
import { IdempotencyStore, type KeyRequest } from './idempotency-store.ts';

describe('idempotencyKeyOf', () => {
  it('accepts 1 to 255 printable ASCII characters and no header', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    for (const key of ['a', 'k'.repeat(255), '0f8c-4d5e ~!"#']) expect(idempotencyKeyOf(key)).toBe(key);
  });

  it('refuses empty, long, non-printable, non-ASCII and repeated keys with 400 bad_request', () => {
    for (const key of ['', 'k'.repeat(256), 'a\tb', 'a\u007fb', 'clé', ['a', 'b']]) {
      expect(() => idempotencyKeyOf(key), JSON.stringify(key)).toThrow(expect.objectContaining({ code: 'bad_request', status: 400 }));
    }
  });
});

describe('scopes and request hashes', () => {
  it('separate endpoints, callers and keys, and bind a key to the method, URL and body bytes', () => {
    const ids = new Set([scopedKeyId('POST /a', 'u1', 'k'), scopedKeyId('POST /b', 'u1', 'k'), scopedKeyId('POST /a', 'u2', 'k'), scopedKeyId('POST /a', 'u1', 'k2')]);
    expect(ids.size).toBe(4);
    // No ambiguity from where one part ends and the next begins.
    expect(scopedKeyId('POST /a', 'u1x', 'k')).not.toBe(scopedKeyId('POST /a', 'u1', 'xk'));
    const base = requestHashOf('POST', '/p/1/refunds', '{"a":1}');
    expect(requestHashOf('POST', '/p/2/refunds', '{"a":1}')).not.toBe(base);
    expect(requestHashOf('POST', '/p/1/refunds', '{"a": 1}')).not.toBe(base);
    expect(requestHashOf('POST', '/p/1/refunds', undefined)).toBe(requestHashOf('POST', '/p/1/refunds', ''));
  });
});

describe('IdempotencyStore', () => {
  let storage: Storage;
  let now: number;
  let store: IdempotencyStore;
  const request = (key: string, hash = 'h1'): KeyRequest => ({ id: scopedKeyId('POST /links', 'u1', key), endpoint: 'POST /links', caller: 'u1', key, requestHash: hash });

  beforeEach(async () => {
    storage = await createStorage(await exampleModel('linkly'), { engine: 'sqlite', url: ':memory:' });
    await storage.migrate();
    now = Date.parse('2025-01-01T00:00:00Z');
    store = new IdempotencyStore(storage.kysely, { ttlMs: 3600_000, takeoverMs: 60_000, now: () => now });
  });
  afterEach(async () => storage.close());

  it('gives the first request the key and later ones its stored answer', async () => {
    const first = await store.claim(request('k'));
    expect(first).toMatchObject({ kind: 'owner', takenOver: false });
    expect(await store.claim(request('k'))).toEqual({ kind: 'in-flight' });
    expect(await store.claim(request('k', 'other'))).toEqual({ kind: 'reused' });
    if (first.kind !== 'owner') throw new Error('unreachable');
    expect(await store.complete(first.claim, { status: 201, headers: { 'content-type': 'application/json', location: '/x/1' }, body: '{"id":1}' })).toBe(true);
    expect(await store.claim(request('k'))).toEqual({ kind: 'replay', response: { status: 201, headers: { 'content-type': 'application/json', location: '/x/1' }, body: '{"id":1}' } });
  });

  it('keeps binary and empty bodies exactly', async () => {
    const a = await store.claim(request('bin'));
    const b = await store.claim(request('empty'));
    if (a.kind !== 'owner' || b.kind !== 'owner') throw new Error('unreachable');
    await store.complete(a.claim, { status: 200, headers: {}, body: Buffer.from([0, 255, 10]) });
    await store.complete(b.claim, { status: 204, headers: {} });
    expect(await store.claim(request('bin'))).toEqual({ kind: 'replay', response: { status: 200, headers: {}, body: Buffer.from([0, 255, 10]) } });
    expect(await store.claim(request('empty'))).toEqual({ kind: 'replay', response: { status: 204, headers: {} } });
  });

  it('frees a released key for the next request', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    await store.release(first.claim, { status: 503, headers: {} });
    expect(await store.claim(request('k'))).toMatchObject({ kind: 'owner' });
  });

  it('keeps a 5xx answer instead of releasing the key when the request\'s writes committed', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    expect(await storage.transaction((tx) => store.fence(tx.kysely, first.claim))).toBe(true);
    await store.release(first.claim, { status: 500, headers: { 'content-type': 'application/problem+json' }, body: '{"code":"internal"}' });
    expect(await store.claim(request('k'))).toEqual({ kind: 'replay', response: { status: 500, headers: { 'content-type': 'application/problem+json' }, body: '{"code":"internal"}' } });
  });

  it('fences a key only for its owner, and only when the fencing transaction commits', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    // A rolled-back transaction leaves the key pending.
    await expect(storage.transaction(async (tx) => {
      expect(await store.fence(tx.kysely, first.claim, '/api/links/a')).toBe(true);
      throw new Error('handler failed');
    })).rejects.toThrow('handler failed');
    now += 61_000;
    const second = await store.claim(request('k'));
    expect(second).toMatchObject({ kind: 'owner', takenOver: true });
    // The first owner's fence now fails: its transaction must roll back.
    expect(await storage.transaction((tx) => store.fence(tx.kysely, first.claim))).toBe(false);
    if (second.kind !== 'owner') throw new Error('unreachable');
    expect(await storage.transaction((tx) => store.fence(tx.kysely, second.claim, '/api/links/b'))).toBe(true);
    expect(await storage.transaction((tx) => store.fence(tx.kysely, second.claim, '/api/links/b'))).toBe(true);
  });

  it('never runs a committed key again: in flight while fresh, then answer-lost with the created record\'s location', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    await storage.transaction((tx) => store.fence(tx.kysely, first.claim, '/api/links/abc'));
    expect(await store.claim(request('k'))).toEqual({ kind: 'in-flight' });
    now += 61_000;
    // The owner died between its commit and storing the answer: no takeover.
    expect(await store.claim(request('k'))).toEqual({ kind: 'answer-lost', location: '/api/links/abc' });
    expect(await store.claim(request('k', 'other'))).toEqual({ kind: 'reused' });
    // An answer stored late (the owner was only slow) still becomes the replay.
    expect(await store.complete(first.claim, { status: 201, headers: {}, body: 'late' })).toBe(true);
    expect(await store.claim(request('k'))).toMatchObject({ kind: 'replay', response: { body: 'late' } });
  });

  it('lets a request take over a key pending past the takeover time; the old owner can no longer store its answer', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    now += 59_000;
    expect(await store.claim(request('k'))).toEqual({ kind: 'in-flight' });
    now += 2_000;
    const second = await store.claim(request('k'));
    expect(second).toMatchObject({ kind: 'owner', takenOver: true });
    expect(await store.claim(request('k'))).toEqual({ kind: 'in-flight' });
    expect(await store.complete(first.claim, { status: 201, headers: {}, body: 'late' })).toBe(false);
    if (second.kind !== 'owner') throw new Error('unreachable');
    expect(await store.complete(second.claim, { status: 201, headers: {}, body: 'second' })).toBe(true);
  });

  it('ignores expired keys and purges them', async () => {
    const first = await store.claim(request('k'));
    if (first.kind !== 'owner') throw new Error('unreachable');
    await store.complete(first.claim, { status: 201, headers: {}, body: 'old' });
    await store.claim(request('other'));
    now += 3600_000;
    // The claim purges expired rows first (more than purgeIntervalMs since the last purge).
    expect(await store.claim(request('k', 'a different request'))).toMatchObject({ kind: 'owner' });
    expect(await store.purgeExpired()).toBe(0);
    const left = await storage.kysely.selectFrom('_archspec_idempotency').select('key').execute();
    expect(left.map((r) => r.key)).toEqual(['k']);
  });
});
