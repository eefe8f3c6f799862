import { describe, expect, it } from 'vitest';
import { planSchema, constraintName } from './schema-plan.ts';
import { modelWithData, storageTestModel } from '../../../test/conformance/storage-test-model.ts';

const model = storageTestModel();
const table = (engine: 'sqlite' | 'postgres', name: string) => planSchema(model, engine).tables.find((t) => t.name === name)!;

describe('planSchema', () => {
  it('maps scalar types to exact SQLite storage and native PostgreSQL types', () => {
    const types = (engine: 'sqlite' | 'postgres') => Object.fromEntries(table(engine, 'Product').columns.map((c) => [c.name, c.sqlType]));
    expect(types('sqlite')).toMatchObject({ id: 'text', stock: 'integer', weight: 'real', price: 'text', active: 'integer', launchedAt: 'text', attributes: 'text' });
    expect(types('postgres')).toMatchObject({ id: 'uuid', stock: 'int8', weight: 'float8', price: 'numeric', active: 'bool', launchedAt: 'timestamptz', launchDay: 'date', attributes: 'jsonb', externalId: 'uuid' });
  });

  it('adds server columns, required/default flags and id generation', () => {
    const note = table('postgres', 'Note');
    expect(note.columns.map((c) => c.name)).toEqual(['id', 'author', 'body', 'pinned', 'rank', 'folder', 'version', 'createdAt', 'updatedAt', 'deletedAt']);
    expect(note.columns.find((c) => c.name === 'pinned')).toMatchObject({ notNull: false, default: false });
    expect(note.columns.find((c) => c.name === 'body')).toMatchObject({ notNull: true });
    expect(table('sqlite', 'Folder').columns[0]).toMatchObject({ name: 'id', sqlType: 'integer', autoIncrement: true });
    expect(table('sqlite', 'Category').columns.map((c) => c.name)).toEqual(['code', 'title', 'version']);
  });

  it('declares foreign keys with the delete behaviour and a join table for many-to-many fields', () => {
    const fk = (t: string, c: string) => table('sqlite', t).columns.find((x) => x.name === c)!.references;
    expect(fk('Note', 'author')).toEqual({ table: 'User', column: 'id', onDelete: 'cascade' });
    expect(fk('Note', 'folder')).toEqual({ table: 'Folder', column: 'id', onDelete: 'set null' });
    expect(fk('Product', 'category')).toEqual({ table: 'Category', column: 'code', onDelete: 'restrict' });
    expect(fk('Note_tags', 'sourceId')).toEqual({ table: 'Note', column: 'id', onDelete: 'cascade' });
    expect(fk('Note_tags', 'targetId')).toEqual({ table: 'Tag', column: 'id', onDelete: 'restrict' });
    expect(table('sqlite', 'Note').columns.some((c) => c.name === 'tags')).toBe(false);
  });

  it('indexes references and filterable fields, and makes unique fields unique indexes', () => {
    expect(table('sqlite', 'Note').indexes.map((i) => i.name)).toEqual(['ix_Note_author', 'ix_Note_pinned', 'ix_Note_rank', 'ix_Note_folder']);
    expect(table('sqlite', 'Product').indexes.find((i) => i.name === 'ux_Product_sku')).toEqual({ name: 'ux_Product_sku', columns: ['sku'], unique: true });
  });

  it('includes the system tables and a checksum that changes with the model only', () => {
    const names = planSchema(model, 'sqlite').tables.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['_archspec_credentials', '_archspec_refresh_tokens', '_archspec_api_keys']));
    expect(planSchema(storageTestModel(), 'sqlite').checksum).toBe(planSchema(model, 'sqlite').checksum);
    expect(planSchema(model, 'postgres').checksum).not.toBe(planSchema(model, 'sqlite').checksum);
    const other = modelWithData('User: { fields: { email: email } }\nNote: { owner: author, fields: { author: { ref: User }, body: string } }');
    expect(planSchema(other, 'sqlite').checksum).not.toBe(planSchema(model, 'sqlite').checksum);
  });

  it('keeps constraint names within 63 characters and distinct', () => {
    const long = 'A'.repeat(40);
    const a = constraintName('ix', long, ['b'.repeat(30)]);
    const b = constraintName('ix', long, ['c'.repeat(30)]);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});
