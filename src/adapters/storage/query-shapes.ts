import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/** How many shapes a storage remembers; past that, new shapes are built every time. */
const MAX_SHAPES = 1024;

/**
 * SQL text remembered per query shape (table, columns, clauses: everything but the values), so a
 * hot query such as an insert or a get by id is built and compiled by kysely once per shape and
 * afterwards runs as that SQL with new parameters. A shape is remembered only when its compiled
 * parameters are exactly the values the caller passes, in order (a builder that inlines a value
 * or adds one of its own is simply rebuilt each time). The SQL is the engine's own dialect, so one
 * cache serves one engine.
 */
export class QueryShapes {
  private readonly sqlOf = new Map<string, string>();

  /**
   * Runs the query `build()` makes for `shape` with `parameters` (the values the builder binds, in
   * the order it binds them) on `db`, a connection or transaction of this cache's engine; returns
   * its rows.
   *
   * @example
   * const rows = await shapes.rows(db, `get|${table}`, [id], () => db.selectFrom(table).selectAll().where('id', '=', id));
   */
  async rows<R>(db: Kysely<any>, shape: string, parameters: readonly unknown[], build: () => Compilable<R>): Promise<R[]> {
    const known = this.sqlOf.get(shape);
    if (known !== undefined) return (await db.executeQuery(CompiledQuery.raw(known, [...parameters]) as CompiledQuery<R>)).rows;
    const compiled = build().compile();
    const same = compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i]);
    if (same && this.sqlOf.size < MAX_SHAPES) this.sqlOf.set(shape, compiled.sql);
    return (await db.executeQuery(compiled)).rows;
  }
}
