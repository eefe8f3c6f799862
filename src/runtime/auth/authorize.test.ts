import { describe, it, expect } from 'vitest';
import { authorize, readScopeOf } from './authorize.ts';
import { callerWith, endpoint, linkly } from './auth-test-support.ts';
import { accessMatrix } from '../../design/security/access-matrix.ts';

const model = linkly();

describe('authorize on the Linkly example', () => {
  it('admits anonymous callers to public endpoints with scope all', () => {
    expect(authorize(model, endpoint(model, 'GET /r/{code}'), undefined)).toEqual({ allowed: true, scope: 'all' });
    expect(authorize(model, endpoint(model, 'POST /users'), undefined)).toEqual({ allowed: true, scope: 'all' });
  });

  it('answers unauthenticated to an anonymous caller of a protected endpoint', () => {
    const d = authorize(model, endpoint(model, 'GET /links'), undefined);
    expect(d).toMatchObject({ allowed: false, code: 'unauthenticated' });
  });

  it('limits a user to own links and lets admin, holding "*", see all', () => {
    for (const key of ['GET /links', 'GET /links/{code}', 'PATCH /links/{code}', 'DELETE /links/{code}', 'GET /users/{id}']) {
      expect(authorize(model, endpoint(model, key), callerWith('user')), key).toEqual({ allowed: true, scope: 'own' });
      expect(authorize(model, endpoint(model, key), callerWith('admin')), key).toEqual({ allowed: true, scope: 'all' });
    }
  });

  it('gives a user scope all from an unscoped permission on an endpoint without scope own', () => {
    expect(authorize(model, endpoint(model, 'POST /links'), callerWith('user'))).toEqual({ allowed: true, scope: 'all' });
  });

  it('narrows to own when the only matching permission is :own', () => {
    expect(authorize(model, endpoint(model, 'GET /links/{link}/visits'), callerWith('user'))).toEqual({ allowed: true, scope: 'own' });
  });

  it('forbids a caller without a listed role, naming the roles required', () => {
    const d = authorize(model, endpoint(model, 'GET /links'), callerWith('guest'));
    expect(d).toEqual({ allowed: false, code: 'forbidden', detail: 'GET /links requires one of the roles user, admin; the caller has guest.' });
  });

  it('forbids a listed role without the permission, naming the permission', () => {
    const edited = linkly((s) => { s.security.roles.user = s.security.roles.user.filter((p: string) => p !== 'Link:delete:own'); });
    const d = authorize(edited, endpoint(edited, 'DELETE /links/{code}'), callerWith('user'));
    expect(d).toMatchObject({ allowed: false, code: 'forbidden' });
    expect(d.allowed === false && d.detail).toContain('Link:delete');
  });

  it('takes the widest scope among the caller roles', () => {
    expect(authorize(model, endpoint(model, 'GET /links'), callerWith('user', 'admin'))).toEqual({ allowed: true, scope: 'all' });
  });

  it('admits a non-public custom endpoint to exactly the roles it lists', () => {
    const edited = linkly((s) => { s.api.endpoints['GET /r/{code}'].public = false; s.api.endpoints['GET /r/{code}'].roles = ['admin']; });
    expect(authorize(edited, endpoint(edited, 'GET /r/{code}'), callerWith('admin'))).toEqual({ allowed: true, scope: 'all' });
    expect(authorize(edited, endpoint(edited, 'GET /r/{code}'), callerWith('user'))).toMatchObject({ allowed: false, code: 'forbidden' });
  });

  it('agrees with the design document access matrix for every endpoint and role', () => {
    const edited = linkly((s) => { s.security.roles.support = ['Link:read', 'Visit:read:own']; delete s.api.endpoints['GET /links/{code}'].roles; });
    const matrix = accessMatrix(edited);
    for (const row of matrix.rows) {
      for (const role of matrix.roles) {
        const d = authorize(edited, endpoint(edited, row.endpoint), callerWith(role));
        const expected = row.access[role] === 'no' ? false : row.access[role] === 'own' ? 'own' : 'all';
        expect(d.allowed ? d.scope : false, `${row.endpoint} as ${role}`).toBe(expected);
      }
    }
  });
});

describe('readScopeOf (what an expanded reference may show)', () => {
  it('follows the read permissions of the caller\'s roles: all beats own, nothing for other actions', () => {
    expect(readScopeOf(model, 'User', callerWith('user'))).toBe('own');
    expect(readScopeOf(model, 'User', callerWith('admin'))).toBe('all');
    expect(readScopeOf(model, 'User', callerWith('user', 'admin'))).toBe('all');
    const edited = linkly((s) => { s.security.roles.writer = ['User:update', 'Link:*']; });
    expect(readScopeOf(edited, 'User', callerWith('writer'))).toBeUndefined();
    expect(readScopeOf(edited, 'Link', callerWith('writer'))).toBe('all');
    expect(readScopeOf(model, 'User', callerWith('ghost'))).toBeUndefined();
  });

  it('opens an entity the spec serves publicly to everyone, and nothing else to anonymous callers', () => {
    expect(readScopeOf(model, 'User', undefined)).toBeUndefined();
    const published = linkly((s) => { s.api.endpoints['GET /links/{code}'] = { does: 'get Link', public: true }; });
    expect(readScopeOf(published, 'Link', undefined)).toBe('all');
    expect(readScopeOf(published, 'Link', callerWith('user'))).toBe('all');
  });
});
