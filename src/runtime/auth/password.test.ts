import { describe, it, expect } from 'vitest';
import { parseOptions } from '@node-rs/argon2';
import { hashPassword, passwordProblems, verifyDummyPassword, verifyPassword } from './password.ts';

describe('password hashing', () => {
  it('hashes with argon2id at m=19 MiB, t=2, p=1 and a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(parseOptions(a)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32, saltLen: 16 });
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('correct horse battery');
    expect(await verifyPassword(h, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(h, 'correct horse batterY')).toBe(false);
  });

  it('answers false rather than throwing for a malformed stored hash', async () => {
    expect(await verifyPassword('not-a-phc-string', 'whatever123')).toBe(false);
  });

  it('spends a real verification on the dummy hash and never matches', async () => {
    expect(await verifyDummyPassword('archspec-dummy-password-never-matches')).toBe(false);
  });
});

describe('password policy', () => {
  it('accepts a password of 10 characters that is not the email', () => {
    expect(passwordProblems('0123456789', 'ann@example.com')).toEqual([]);
  });

  it('refuses passwords shorter than 10 characters, counting characters not bytes', () => {
    expect(passwordProblems('123456789', 'ann@example.com')).toEqual([{ pointer: '/password', detail: 'must be at least 10 characters long' }]);
    expect(passwordProblems('ééééééééé', undefined)).toHaveLength(1);
  });

  it('refuses the email address as password, whatever its case', () => {
    expect(passwordProblems(' Ann@Example.com', 'ann@example.com')).toEqual([{ pointer: '/password', detail: 'must not be the email address' }]);
  });

  it('refuses a password that is not a string', () => {
    expect(passwordProblems(12345678901, 'a@b.io', '/secret')).toEqual([{ pointer: '/secret', detail: 'must be a string' }]);
  });
});
