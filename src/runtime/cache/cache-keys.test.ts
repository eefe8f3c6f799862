import { describe, expect, it } from 'vitest';
import type { Caller } from '../auth/auth-contract.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { callerDimension, canonicalId, canonicalQuery, recordKey, responseKey } from './cache-keys.ts';

const linkly = await exampleModel('linkly');
const payments = await exampleModel('payments');
const endpoint = (model: typeof linkly, key: string) => model.api.endpoints.find((e) => e.key === key)!;
const entity = (model: typeof linkly, name: string) => model.entities.find((e) => e.name === name)!;
const user = (userId: string, ...roles: string[]): Caller => ({ userId, roles, via: 'jwt' });

describe('canonicalQuery', () => {
  it('orders parameters by name and keeps the order of a repeated parameter\'s values', () => {
    expect(canonicalQuery('sort=-title&limit=5')).toBe('limit=5&sort=-title');
    expect(canonicalQuery('?b=2&a=1&b=1')).toBe('a=1&b=2&b=1');
  });

  it('spells equal values one way', () => {
    expect(canonicalQuery('q=a%20b')).toBe(canonicalQuery('q=a+b'));
    expect(canonicalQuery('')).toBe('');
  });
});

describe('responseKey', () => {
  const parts = { method: 'GET', path: '/api/links', query: 'limit=5&sort=code', caller: 'user:u1;roles:user' };

  it('is the same for the same request in any parameter order', () => {
    expect(responseKey(parts)).toBe(responseKey({ ...parts, query: 'sort=code&limit=5', method: 'get' }));
  });

  it('differs by path, query, method and caller', () => {
    const key = responseKey(parts);
    expect(responseKey({ ...parts, path: '/api/links/x' })).not.toBe(key);
    expect(responseKey({ ...parts, query: 'limit=6&sort=code' })).not.toBe(key);
    expect(responseKey({ ...parts, method: 'HEAD' })).not.toBe(key);
    expect(responseKey({ ...parts, caller: 'user:u2;roles:user' })).not.toBe(key);
  });

  it('has one length and carries neither query values nor user ids in clear', () => {
    const key = responseKey({ ...parts, query: 'email=ann@example.com' });
    expect(key).toMatch(/^resp:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('ann');
    expect(key).not.toContain('u1');
  });
});

describe('record keys', () => {
  it('spell an id one way: integers as numbers, UUIDs in lower case, strings as given', () => {
    const visit = { ...entity(linkly, 'Visit'), id: { field: 'id', type: 'integer' as const, generate: 'serial' as const } };
    expect(canonicalId(visit, '007')).toBe('7');
    expect(canonicalId(visit, 7)).toBe('7');
    expect(canonicalId(entity(linkly, 'User'), 'ABC-def')).toBe('abc-def');
    expect(canonicalId(entity(linkly, 'Link'), 'AbC')).toBe('AbC');
    expect(recordKey(entity(linkly, 'Link'), 'AbC')).toBe('rec:Link:AbC');
  });
});

describe('callerDimension', () => {
  it('shares answers between anonymous callers', () => {
    expect(callerDimension(payments, endpoint(payments, 'GET /products'), { caller: undefined, scope: 'all', expand: [] })).toBe('anonymous');
  });

  it('keys by role set when nothing in the answer depends on the user (scope all, no ownable personal data)', () => {
    const products = endpoint(payments, 'GET /products');
    const a = callerDimension(payments, products, { caller: user('u1', 'customer'), scope: 'all', expand: [] });
    expect(a).toBe('roles:customer');
    expect(callerDimension(payments, products, { caller: user('u2', 'customer'), scope: 'all', expand: [] })).toBe(a);
    expect(callerDimension(payments, products, { caller: user('u3', 'support'), scope: 'all', expand: [] })).toBe('roles:support');
    expect(callerDimension(payments, products, { caller: user('u4', 'b', 'a', 'b'), scope: 'all', expand: [] })).toBe('roles:a,b');
  });

  it('keys by user under scope own', () => {
    expect(callerDimension(linkly, endpoint(linkly, 'GET /links'), { caller: user('u1', 'user'), scope: 'own', expand: [] })).toBe('user:u1;roles:user');
  });

  it('keys by user when the entity holds personal data its owner sees (User.email)', () => {
    expect(callerDimension(payments, endpoint(payments, 'GET /users'), { caller: user('u1', 'support'), scope: 'all', expand: [] })).toBe('user:u1;roles:support');
  });

  it('keys by user when expand pulls in personal data or records the caller may read only some of', () => {
    const links = endpoint(linkly, 'GET /links');
    expect(callerDimension(linkly, links, { caller: user('u1', 'admin'), scope: 'all', expand: [] })).toBe('roles:admin');
    expect(callerDimension(linkly, links, { caller: user('u1', 'admin'), scope: 'all', expand: ['owner'] })).toBe('user:u1;roles:admin');
  });

  it('keys custom handlers by user: they see ctx.user', () => {
    expect(callerDimension(linkly, endpoint(linkly, 'GET /r/{code}'), { caller: user('u1', 'user'), scope: 'all', expand: [] })).toBe('user:u1;roles:user');
    expect(callerDimension(linkly, endpoint(linkly, 'GET /r/{code}'), { caller: undefined, scope: 'all', expand: [] })).toBe('anonymous');
  });
});
