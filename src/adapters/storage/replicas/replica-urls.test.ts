import { describe, expect, it } from 'vitest';
import { ReplicaUrlError, replicaUrlsFrom } from './replica-urls.ts';

const primary = { DATABASE_URL: 'postgres://app:secret@db:5432/app' };

describe('replicaUrlsFrom', () => {
  it('lists the comma-separated replica URLs in order, ignoring blanks', () => {
    expect(replicaUrlsFrom({ ...primary, DATABASE_REPLICA_URLS: ' postgres://r1/app, postgresql://u:p@r2:6432/app ,' })).toEqual(['postgres://r1/app', 'postgresql://u:p@r2:6432/app']);
    expect(replicaUrlsFrom(primary)).toEqual([]);
    expect(replicaUrlsFrom({ ...primary, DATABASE_REPLICA_URLS: ' ' })).toEqual([]);
  });

  it('refuses replicas without a PostgreSQL DATABASE_URL', () => {
    for (const DATABASE_URL of [undefined, 'sqlite:data/app.sqlite', 'data/app.sqlite']) {
      expect(() => replicaUrlsFrom({ DATABASE_URL, DATABASE_REPLICA_URLS: 'postgres://r1/app' })).toThrow(/DATABASE_URL is not a PostgreSQL URL/);
    }
  });

  it('names a malformed entry by its position, never repeating it', () => {
    const bad = (DATABASE_REPLICA_URLS: string) => {
      try {
        replicaUrlsFrom({ ...primary, DATABASE_REPLICA_URLS });
      } catch (e) {
        expect(e).toBeInstanceOf(ReplicaUrlError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('mysql://u:hunter2@r1/app')).toBe('DATABASE_REPLICA_URLS is not a postgres:// or postgresql:// URL');
    expect(bad('postgres://r1/app,redis://u:hunter2@r2')).toBe('entry 2 of DATABASE_REPLICA_URLS is not a postgres:// or postgresql:// URL');
    expect(bad('postgres:///app')).toBe('DATABASE_REPLICA_URLS names no host');
    expect(bad('postgres://u:hunter2@[bad/app')).toBe('DATABASE_REPLICA_URLS is not a URL');
  });
});
