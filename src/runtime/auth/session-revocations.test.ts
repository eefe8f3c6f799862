import { describe, it, expect } from 'vitest';
import { SessionRevocations } from './session-revocations.ts';
import type { AccessClaims } from './tokens.ts';

const claims = (sessionId: string, userId: string, issuedAtMs: number): AccessClaims =>
  ({ userId, roles: ['user'], sessionId, jti: 'j', issuedAt: new Date(issuedAtMs), expiresAt: new Date(issuedAtMs + 900_000) });

describe('SessionRevocations', () => {
  it('revokes every access token of a logged-out session and no other session', () => {
    const r = new SessionRevocations(900_000);
    r.revokeSession('s1', 10_000);
    expect(r.isRevoked(claims('s1', 'u', 5_000))).toBe(true);
    expect(r.isRevoked(claims('s2', 'u', 5_000))).toBe(false);
  });

  it('revokes the tokens a user got before logging out everywhere, not those issued afterwards', () => {
    const r = new SessionRevocations(900_000);
    r.revokeUser('u', 10_500);
    expect(r.isRevoked(claims('s1', 'u', 9_000))).toBe(true);
    expect(r.isRevoked(claims('s2', 'u', 11_000))).toBe(false);
    expect(r.isRevoked(claims('s3', 'other', 9_000))).toBe(false);
  });

  it('forgets revocations once every token they could match has expired', () => {
    const r = new SessionRevocations(1_000);
    r.revokeSession('old', 0);
    r.revokeSession('new', 5_000);
    expect(r.isRevoked(claims('old', 'u', 0))).toBe(false);
    expect(r.isRevoked(claims('new', 'u', 4_000))).toBe(true);
  });
});
