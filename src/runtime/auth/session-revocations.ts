import type { AccessClaims } from './tokens.ts';

/**
 * Access tokens revoked before they expire. Access tokens are stateless, so logout (which revokes a
 * refresh-token family in the database) would otherwise leave the session's access token usable
 * until `exp`. This list remembers revoked sessions (`sid`) and users (logout everywhere) for one
 * access-token lifetime, after which every token it could match has expired anyway.
 *
 * It lives in memory: exact on one instance. Several instances each know only the logouts they
 * served, and their tokens still die at `exp` (`api.auth.accessTtl`, 15 minutes by default).
 */
export class SessionRevocations {
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, number>();

  /** @param ttlMs how long to remember a revocation: the access-token lifetime */
  constructor(private readonly ttlMs: number) {}

  /** Revokes every access token of session (refresh family) `sessionId`. */
  revokeSession(sessionId: string, atMs: number): void {
    this.prune(atMs);
    this.sessions.set(sessionId, atMs);
  }

  /**
   * Revokes every access token of `userId` issued before `atMs`. `iat` has one-second resolution,
   * so a token counts as earlier only when its whole second is: one issued in the same second as
   * the logout (such as the next login's) stays valid.
   */
  revokeUser(userId: string, atMs: number): void {
    this.prune(atMs);
    this.users.set(userId, atMs);
  }

  /** Whether a verified token belongs to a revoked session or predates its user's logout everywhere. */
  isRevoked(claims: AccessClaims): boolean {
    if (this.sessions.has(claims.sessionId)) return true;
    const cutoff = this.users.get(claims.userId);
    return cutoff !== undefined && claims.issuedAt.getTime() + 999 < cutoff;
  }

  private prune(nowMs: number): void {
    for (const map of [this.sessions, this.users]) {
      for (const [key, at] of map) if (at + this.ttlMs < nowMs) map.delete(key);
    }
  }
}
