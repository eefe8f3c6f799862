import { describe, it, expect } from 'vitest';
import { accessMatrix } from './access-matrix.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

const cell = (m: ReturnType<typeof accessMatrix>, endpoint: string) => m.rows.find((r) => r.endpoint === endpoint);

describe('accessMatrix on linkly', () => {
  const m = accessMatrix(linklyModel());

  it('has one column per security role and one row per endpoint', () => {
    expect(m.roles).toEqual(['user', 'admin']);
    expect(m.rows.map((r) => r.endpoint)).toEqual([
      'POST /users', 'POST /links', 'GET /links', 'GET /links/{code}', 'PATCH /links/{code}', 'DELETE /links/{code}',
      'GET /links/{link}/visits', 'GET /r/{code}',
    ]);
  });

  it('limits a user to own links on GET /links while admin, holding "*", sees all', () => {
    expect(cell(m, 'GET /links')).toEqual({ endpoint: 'GET /links', public: false, access: { user: 'own', admin: 'yes' } });
    expect(cell(m, 'DELETE /links/{code}')?.access).toEqual({ user: 'own', admin: 'yes' });
  });

  it('gives a user full create access from Link:create and own access to visits from Visit:read:own', () => {
    expect(cell(m, 'POST /links')?.access.user).toBe('yes');
    expect(cell(m, 'GET /links/{link}/visits')?.access.user).toBe('own');
  });

  it('marks sign-up and the redirect as anonymous', () => {
    expect(cell(m, 'POST /users')).toMatchObject({ public: true, access: { user: 'yes', admin: 'yes' } });
    expect(cell(m, 'GET /r/{code}')).toMatchObject({ public: true, access: { user: 'yes', admin: 'yes' } });
  });
});

describe('accessMatrix on edited specs', () => {
  it('denies a listed role whose permissions do not allow the action', () => {
    const m = accessMatrix(linklyModel((s) => {
      s.security.roles.user = s.security.roles.user.filter((p: string) => p !== 'Link:delete:own');
    }));
    expect(cell(m, 'DELETE /links/{code}')?.access).toEqual({ user: 'no', admin: 'yes' });
  });

  it('denies a role the endpoint does not list, even with the permission', () => {
    const m = accessMatrix(linklyModel((s) => { s.api.endpoints['POST /links'].roles = ['admin']; }));
    expect(cell(m, 'POST /links')?.access).toEqual({ user: 'no', admin: 'yes' });
  });

  it('admits every role with the permission when an endpoint lists no roles, narrowing non-superusers on scope: own', () => {
    const m = accessMatrix(linklyModel((s) => {
      s.security.roles.support = ['Link:read'];
      delete s.api.endpoints['GET /links/{code}'].roles;
    }));
    expect(m.roles).toEqual(['user', 'admin', 'support']);
    expect(cell(m, 'GET /links/{code}')?.access).toEqual({ user: 'own', admin: 'yes', support: 'own' });
    expect(cell(m, 'PATCH /links/{code}')?.access.support).toBe('no');
  });

  it('lets a role with an unscoped permission see all records on an endpoint without scope: own', () => {
    const m = accessMatrix(linklyModel((s) => {
      s.security.roles.support = ['Visit:read'];
      s.api.endpoints['GET /links/{link}/visits'].roles = ['user', 'admin', 'support'];
    }));
    expect(cell(m, 'GET /links/{link}/visits')?.access).toEqual({ user: 'own', admin: 'yes', support: 'yes' });
  });

  it('grants a non-public custom endpoint to exactly the roles it lists', () => {
    const m = accessMatrix(linklyModel((s) => {
      s.api.endpoints['GET /r/{code}'].public = false;
      s.api.endpoints['GET /r/{code}'].roles = ['admin'];
    }));
    expect(cell(m, 'GET /r/{code}')).toEqual({ endpoint: 'GET /r/{code}', public: false, access: { user: 'no', admin: 'yes' } });
  });
});
