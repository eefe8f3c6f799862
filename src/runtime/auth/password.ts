import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import type { InvalidParam } from '../api-error.ts';

/**
 * Password hashing with argon2id and the minimum password policy.
 *
 * Parameters (docs/decisions/0007-auth-jose-argon2.md): the OWASP Password Storage Cheat Sheet's
 * first argon2id configuration, m = 19 MiB, t = 2, p = 1, 16-byte salt, 32-byte output. One
 * verification takes about 18 ms on a 2-vCPU machine and holds 19 MiB, so 50 concurrent logins
 * need about 1 GiB rather than the 3.2 GiB of RFC 9106's 64 MiB option; brute force is held back by
 * the login throttle as well as by the hash. Hashes are PHC strings that carry their parameters, so
 * stronger settings later still verify old hashes.
 */
export const ARGON2ID_OPTIONS: Readonly<Options> = {
  // `Algorithm` is a const enum the native binding does not export at run time; 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
};

/** Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; we ask 10). */
export const MIN_PASSWORD_LENGTH = 10;

/** Hashes `password` with argon2id and a fresh random salt; returns the PHC string to store. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_OPTIONS);
}

/** Whether `password` matches the stored PHC hash; false (never a throw) for a malformed hash. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Computes the dummy hash ahead of the first login, so that login is not one hash slower. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('archspec-dummy-password-never-matches');
  return dummyHash;
}

/**
 * Spends the time of a real verification and returns false. Login calls it when the account does not
 * exist (or has no password), so an attacker cannot tell unknown emails from wrong passwords by timing.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  await verifyPassword(await prepareDummyHash(), password);
  return false;
}

/**
 * The minimum policy: a string of at least {@link MIN_PASSWORD_LENGTH} characters (code points) that
 * is not the account's email address (compared trimmed and case-insensitively). Returns the
 * problems as validation errors at `pointer` (default `/password`); empty when acceptable.
 *
 * @example
 * passwordProblems('short', 'a@b.io') // [{ pointer: '/password', detail: 'must be at least 10 characters long' }]
 */
export function passwordProblems(password: unknown, email: unknown, pointer = '/password'): InvalidParam[] {
  if (typeof password !== 'string') return [{ pointer, detail: 'must be a string' }];
  const problems: InvalidParam[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push({ pointer, detail: `must be at least ${MIN_PASSWORD_LENGTH} characters long` });
  if (typeof email === 'string' && email.trim() !== '' && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    problems.push({ pointer, detail: 'must not be the email address' });
  }
  return problems;
}
