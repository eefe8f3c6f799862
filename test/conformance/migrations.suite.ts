import { expect, it } from 'vitest';
import type { SuiteContext } from './storage-fixture.ts';
import { modelWithData } from './storage-test-model.ts';

const COMMON = `
User: { fields: { email: { type: email, unique: true } } }
Note: { owner: author, fields: { author: { ref: User }, body: text } }
`;

const V1 = modelWithData(`${COMMON}
Doc: { fields: { title: string, size: integer } }
`);

/** Additive: optional and defaulted columns, an index, a new entity with a join table, a required column on an empty table. */
const V2 = modelWithData(`
User: { fields: { email: { type: email, unique: true } } }
Note: { owner: author, fields: { author: { ref: User }, body: text, mood: string } }
Label: { fields: { name: string } }
Doc:
  fields:
    title: string
    size: { type: integer, filterable: true }
    summary: text?
    pages: { type: integer, default: 1 }
    labels: { ref: Label, many: true }
`);

/** Destructive from V2: a dropped column, a type change, a required column on a non-empty table, dropped tables. */
const V3 = modelWithData(`
User: { fields: { email: { type: email, unique: true } } }
Note: { owner: author, fields: { author: { ref: User }, body: text, mood: string } }
Doc:
  fields:
    title: string
    summary: text?
    pages: { type: decimal, default: 1 }
    rating: integer
`);

/** Schema creation, idempotence, additive and destructive changes, dry runs, and concurrent migration. */
export function migrationTests(ctx: SuiteContext): void {
  it('migrates a fresh database once: a second run applies nothing', async () => {
    const s = await ctx.open({ migrate: false });
    expect(await s.isMigrated()).toBe(false);
    const first = await s.migrate();
    expect(first).toMatchObject({ refused: false, destructive: [], version: 1 });
    expect(first.applied.length).toBeGreaterThan(10);
    expect(first.applied.some((sql) => /create unique index "ux_Product_sku"/i.test(sql))).toBe(true);
    expect(await s.isMigrated()).toBe(true);
    expect(await s.migrate()).toEqual({ applied: [], destructive: [], refused: false, version: 1 });
    await s.ping();
  });

  it('applies additive changes on a database holding data, keeping the data', async () => {
    const v1 = await ctx.open({ model: V1 });
    const doc = await v1.insert('Doc', { title: 'kept', size: 3 });
    const v2 = await ctx.open({ model: V2, migrate: false });
    expect(await v2.isMigrated()).toBe(false);
    const report = await v2.migrate();
    expect(report).toMatchObject({ refused: false, destructive: [], version: 2 });
    expect(report.applied.join('\n')).toMatch(/ix_Doc_size/);
    expect(await v2.get('Doc', doc.id as string)).toMatchObject({ title: 'kept', size: 3, summary: null, pages: 1, labels: [] });
    const label = await v2.insert('Label', { name: 'red' });
    const user = await v2.insert('User', { email: 'a@example.com' });
    expect(await v2.insert('Note', { author: user.id, body: 'b', mood: 'calm' })).toMatchObject({ mood: 'calm' });
    expect(await v2.update('Doc', doc.id as string, { labels: [label.id] })).toMatchObject({ labels: [label.id], version: 2 });
    expect((await v2.migrate()).applied).toEqual([]);
    expect(await v1.isMigrated()).toBe(false);
  });

  it('refuses destructive changes, applying nothing, until they are allowed', async () => {
    const v2 = await ctx.open({ model: V2 });
    const label = await v2.insert('Label', { name: 'red' });
    const doc = await v2.insert('Doc', { title: 'kept', size: 3, pages: 7, labels: [label.id] });
    const v3 = await ctx.open({ model: V3, migrate: false });
    const refused = await v3.migrate();
    expect(refused).toMatchObject({ refused: true, applied: [], version: 1 });
    const words = refused.destructive.join('\n');
    expect(words).toMatch(/drop column Doc\.size/);
    expect(words).toMatch(/change type of Doc\.pages/);
    expect(words).toMatch(/add required column Doc\.rating .*1 existing rows get 0/);
    expect(words).toMatch(/drop table Label\b/);
    expect(words).toMatch(/drop table Doc_labels/);
    expect(await v2.get('Doc', doc.id as string)).toMatchObject({ size: 3, pages: 7, labels: [label.id] });
    expect(await v3.isMigrated()).toBe(false);
    const allowed = await v3.migrate({ allowDestructive: true });
    expect(allowed).toMatchObject({ refused: false, version: 2 });
    expect(allowed.applied.length).toBeGreaterThan(0);
    const after = await v3.get('Doc', doc.id as string);
    expect(after).toMatchObject({ title: 'kept', pages: '7', rating: 0, summary: null });
    expect(after).not.toHaveProperty('size');
    expect(await v3.isMigrated()).toBe(true);
    expect(await v3.migrate()).toMatchObject({ applied: [], version: 2 });
  });

  it('dry-runs a fresh database: lists every statement and creates nothing', async () => {
    const s = await ctx.open({ migrate: false });
    const dry = await s.migrate({ dryRun: true });
    expect(dry).toMatchObject({ refused: false, destructive: [], version: 0 });
    expect(dry.applied.some((sql) => /create table "Product"/i.test(sql))).toBe(true);
    await expect(s.list('User', { limit: 1 })).rejects.toThrow();
    expect(await s.isMigrated()).toBe(false);
    expect(await s.migrate({ dryRun: true })).toEqual(dry);
    const real = await s.migrate();
    expect(real).toMatchObject({ version: 1, applied: dry.applied });
    expect(await s.migrate({ dryRun: true })).toEqual({ applied: [], destructive: [], refused: false, version: 1 });
  });

  it('dry-runs an additive change: only the additions, and the database stays as it was', async () => {
    const v1 = await ctx.open({ model: V1 });
    const doc = await v1.insert('Doc', { title: 'kept', size: 3 });
    const v2 = await ctx.open({ model: V2, migrate: false });
    const dry = await v2.migrate({ dryRun: true });
    expect(dry).toMatchObject({ refused: false, destructive: [], version: 1 });
    const text = dry.applied.join('\n');
    expect(text).toMatch(/create table "Label"/i);
    expect(text).toMatch(/"summary"/);
    expect(text).toMatch(/ix_Doc_size/);
    expect(text).not.toMatch(/create table "(User|Note)"/i);
    expect(text).not.toMatch(/"_archspec_/);
    expect(await v1.isMigrated()).toBe(true);
    expect(await v2.isMigrated()).toBe(false);
    expect(await v1.get('Doc', doc.id as string)).toEqual(doc);
    expect(await v2.migrate()).toMatchObject({ version: 2, applied: dry.applied });
  });

  it('dry-runs a destructive change: reported and refused as a real run would, applied only when allowed', async () => {
    const v2 = await ctx.open({ model: V2 });
    const doc = await v2.insert('Doc', { title: 'kept', size: 3, pages: 7 });
    const v3 = await ctx.open({ model: V3, migrate: false });
    const refused = await v3.migrate({ dryRun: true });
    expect(refused).toMatchObject({ refused: true, applied: [], version: 1 });
    expect(refused.destructive.join('\n')).toMatch(/drop column Doc\.size/);
    const allowed = await v3.migrate({ dryRun: true, allowDestructive: true });
    expect(allowed).toMatchObject({ refused: false, destructive: refused.destructive, version: 1 });
    expect(allowed.applied.join('\n')).toMatch(/drop table "Label"/i);
    expect(await v2.get('Doc', doc.id as string)).toEqual(doc);
    expect(await v2.isMigrated()).toBe(true);
    expect(await v3.migrate({ allowDestructive: true })).toMatchObject({ version: 2, applied: allowed.applied });
  });

  it('migrates once when several instances start together', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => ctx.open({ migrate: false })));
    const reports = await Promise.all(instances.map((s) => s.migrate()));
    expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
    expect(reports.map((r) => r.version)).toEqual([1, 1, 1]);
    for (const s of instances) expect(await s.isMigrated()).toBe(true);
    const user = await instances[0]!.insert('User', { email: 'x@example.com' });
    expect(await instances[2]!.get('User', user.id as string)).toMatchObject({ email: 'x@example.com' });
  });
}
