import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ImmediateSqliteDialect, statementCache } from './sqlite-immediate-dialect.ts';

describe('statementCache', () => {
  it('prepares a SQL text once and hands the same statement out again', () => {
    const database = new Database(':memory:');
    const cached = statementCache(database);
    const first = cached.prepare('select 1 as one');
    expect(cached.prepare('select 1 as one')).toBe(first);
    expect(cached.prepare('select 2 as two')).not.toBe(first);
    cached.close();
    expect(database.open).toBe(false);
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const cached = statementCache(new Database(':memory:'), 2);
    const a = cached.prepare('select 1');
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a); // now the most recent
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
    cached.close();
  });

  it('does not hand out a statement that is still being iterated', () => {
    const cached = statementCache(new Database(':memory:'));
    const first = cached.prepare('select 1 union all select 2') as unknown as Database.Statement;
    const rows = first.iterate();
    rows.next();
    expect(cached.prepare('select 1 union all select 2')).not.toBe(first);
    rows.return?.();
    cached.close();
  });

  it('prepares pragmas anew each time, so a setting applies every time it is run', async () => {
    const database = new Database(':memory:');
    const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(database, 1000) });
    for (const round of [1, 2]) {
      await sql`pragma foreign_keys = off`.execute(db);
      expect(database.pragma('foreign_keys', { simple: true }), `round ${round}`).toBe(0);
      await sql`pragma foreign_keys = on`.execute(db);
      expect(database.pragma('foreign_keys', { simple: true }), `round ${round}`).toBe(1);
    }
    await db.destroy();
  });

  it('sees schema changes through a cached statement', async () => {
    const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(new Database(':memory:'), 1000) });
    await sql`create table t (a integer)`.execute(db);
    await sql`insert into t (a) values (1)`.execute(db);
    expect((await sql`select * from t`.execute(db)).rows).toEqual([{ a: 1 }]);
    await sql`alter table t add column b integer default 2`.execute(db);
    expect((await sql`select * from t`.execute(db)).rows).toEqual([{ a: 1, b: 2 }]);
    await db.destroy();
  });
});
