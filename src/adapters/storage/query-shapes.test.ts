import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ImmediateSqliteDialect } from './sqlite/sqlite-immediate-dialect.ts';
import { QueryShapes } from './query-shapes.ts';
import { shortId } from './record-store.ts';

async function database(): Promise<Kysely<any>> {
  const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(new Database(':memory:'), 1000) });
  await sql`create table t (id integer primary key, name text)`.execute(db);
  await sql`insert into t (id, name) values (1, 'one'), (2, 'two')`.execute(db);
  return db;
}

describe('QueryShapes', () => {
  it('builds a shape once and runs its SQL with each call\'s parameters', async () => {
    const db = await database();
    const shapes = new QueryShapes();
    let built = 0;
    const get = (id: number) => shapes.rows(db, 'get|t', [id], () => {
      built++;
      return db.selectFrom('t').selectAll().where('id', '=', id);
    });
    expect(await get(1)).toEqual([{ id: 1, name: 'one' }]);
    expect(await get(2)).toEqual([{ id: 2, name: 'two' }]);
    expect(await get(3)).toEqual([]);
    expect(built).toBe(1);
    await db.destroy();
  });

  it('keeps rebuilding a shape whose builder binds other values than the caller passes', async () => {
    const db = await database();
    const shapes = new QueryShapes();
    let built = 0;
    const named = (name: string) => shapes.rows(db, 'named|t', [name], () => {
      built++;
      return db.selectFrom('t').selectAll().where('name', '=', name).where('id', '>', 0); // binds a second value
    });
    expect(await named('one')).toEqual([{ id: 1, name: 'one' }]);
    expect(await named('two')).toEqual([{ id: 2, name: 'two' }]);
    expect(built).toBe(2);
    await db.destroy();
  });
});

describe('shortId', () => {
  it('gives 8-character base64url ids that do not repeat across pool refills', () => {
    const ids = Array.from({ length: 3000 }, () => shortId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
