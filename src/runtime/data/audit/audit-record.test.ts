import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../../model/system-model.ts';
import { canonicalJson, chainHash, GENESIS_HASH, maskRecord, type AuditContent } from './audit-record.ts';

const field = (name: string, flags: { pii?: boolean; sensitive?: boolean; encrypted?: boolean } = {}) =>
  ({ name, type: 'string', required: false, unique: false, pii: false, sensitive: false, encrypted: false, readOnly: false, filterable: false, ...flags }) as Entity['fields'][number];

const patient = {
  name: 'Patient', id: { field: 'id', type: 'uuid', generate: 'uuid' }, softDelete: false, timestamps: true,
  fields: [field('name', { pii: true }), field('diagnosis', { sensitive: true }), field('token', { encrypted: true }), field('plan')],
} as unknown as Entity;

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson('é\n')).toBe('"é\\n"');
  });
});

describe('chainHash', () => {
  const content: AuditContent = { at: '2025-01-01T00:00:00.000Z', actor: 'user:1', action: 'create', entity: 'Link', recordId: 'abc', requestId: 'r1', before: null, after: '{"a":1}' };

  it('is SHA-256 of the previous hash followed by the canonical content', () => {
    const expected = createHash('sha256').update(GENESIS_HASH + canonicalJson(content)).digest('hex');
    expect(chainHash(GENESIS_HASH, content)).toBe(expected);
  });

  it('changes with any content field and with the previous hash', () => {
    const base = chainHash(GENESIS_HASH, content);
    for (const [key, value] of Object.entries({ at: 'x', actor: 'system', action: 'update', entity: 'User', recordId: 'abd', requestId: null, before: '{}', after: null })) {
      expect(chainHash(GENESIS_HASH, { ...content, [key]: value }), key).not.toBe(base);
    }
    expect(chainHash('1'.repeat(64), content)).not.toBe(base);
  });
});

describe('maskRecord', () => {
  const record = { id: 'p1', name: 'Ada', diagnosis: 'flu', token: 'tok', plan: 'rest', version: 1, password: 'secret' };

  it('hides pii, sensitive and encrypted values, keeps the rest, never keeps a password', () => {
    expect(maskRecord(patient, record)).toEqual({ id: 'p1', name: '***', diagnosis: '***', token: '***', plan: 'rest', version: 1 });
  });

  it('keeps null so a cleared value shows', () => {
    expect(maskRecord(patient, { ...record, name: null })).toMatchObject({ name: null });
  });

  it('marks a masked value that changed since the previous image', () => {
    const after = maskRecord(patient, { ...record, diagnosis: 'cold', plan: 'tea', version: 2 }, record);
    expect(after).toMatchObject({ name: '***', diagnosis: '***(changed)', token: '***', plan: 'tea', version: 2 });
  });
});
