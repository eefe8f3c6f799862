import { describe, it, expect } from 'vitest';
import { visibleFields } from './visible-fields.ts';
import { callerWith, linkly } from './auth-test-support.ts';
import { entityOf } from '../../adapters/storage/storage.ts';

const model = linkly();
const user = entityOf(model, 'User');
const link = entityOf(model, 'Link');

describe('visibleFields on the Linkly example', () => {
  it('hides PII of another account from a user', () => {
    const fields = visibleFields(model, user, callerWith('user'), false);
    expect(fields.has('email')).toBe(false);
    expect(fields.has('name')).toBe(false);
    expect([...fields]).toEqual(expect.arrayContaining(['id', 'version', 'role']));
  });

  it('shows a user their own account in full', () => {
    const fields = visibleFields(model, user, callerWith('user'), true);
    expect(fields.has('email')).toBe(true);
    expect(fields.has('name')).toBe(true);
  });

  it('shows PII to a role of security.piiRoles (admin by default)', () => {
    expect(model.security.piiRoles).toEqual(['admin']);
    expect(visibleFields(model, user, callerWith('admin'), false).has('email')).toBe(true);
  });

  it('hides PII from anonymous callers', () => {
    expect(visibleFields(model, user, undefined, false).has('email')).toBe(false);
  });

  it('treats sensitive fields like PII and follows an edited piiRoles', () => {
    const edited = linkly((s) => {
      s.data.Link.fields.title.sensitive = true;
      s.security.roles.support = ['Link:read'];
      s.security.piiRoles = ['support'];
    });
    const editedLink = entityOf(edited, 'Link');
    expect(visibleFields(edited, editedLink, callerWith('admin'), false).has('title')).toBe(false);
    expect(visibleFields(edited, editedLink, callerWith('support'), false).has('title')).toBe(true);
    expect(visibleFields(edited, editedLink, callerWith('user'), true).has('title')).toBe(true);
  });

  it('keeps every non-personal field and the server-managed columns', () => {
    expect([...visibleFields(model, link, callerWith('user'), false)].sort()).toEqual(
      ['code', 'createdAt', 'deletedAt', 'expiresAt', 'owner', 'target', 'title', 'updatedAt', 'version'].sort(),
    );
  });
});
