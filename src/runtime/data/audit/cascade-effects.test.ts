import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.ts';
import type { Storage } from '../../../adapters/storage/storage.ts';
import type { DataRule, SystemModel } from '../../../model/system-model.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';
import { audited } from './audited-storage.ts';
import { CascadePlanner } from './cascade-effects.ts';
import { listAudit, verifyChain } from './audit-verify.ts';

// Writes the database makes on its own: Note.author is `onDelete: cascade` to User, Note.folder
// `set-null` to Folder, Note is soft-deleted (the cascade still removes its rows), Note.tags is many-to-many.

/** The storage test model with `rules` added and without field encryption (not under test here; it needs a key). */
function withRules(rules: { rule: 'audit' | 'immutable'; entities: string[] }[]): SystemModel {
  const model = storageTestModel();
  return {
    ...model,
    entities: model.entities.map((e) => ({ ...e, fields: e.fields.map((f) => ({ ...f, encrypted: false })) })),
    requirements: { ...model.requirements, data: [...model.requirements.data.filter((r) => r.rule !== 'encrypted-at-rest'), ...(rules as unknown as DataRule[])] },
  };
}

describe('CascadePlanner', () => {
  it('follows only relations that reach a watched entity', () => {
    const planner = new CascadePlanner(storageTestModel(), new Set(['Note']));
    expect(planner.affectsWatched('User')).toBe(true);
    expect(planner.affectsWatched('Folder')).toBe(true);
    expect(planner.affectsWatched('Tag')).toBe(false);
    expect(planner.affectsWatched('Category')).toBe(false);
    expect(new CascadePlanner(storageTestModel(), new Set(['User'])).affectsWatched('Folder')).toBe(false);
  });
});

describe('audited storage: cascades', () => {
  let raw: Storage;
  let user: string;
  let folder: number;
  let notes: string[];
  beforeEach(async () => {
    raw = await createStorage(withRules([]), { engine: 'sqlite', url: ':memory:' });
    await raw.migrate();
    user = String((await raw.insert('User', { email: 'a@example.com' })).id);
    folder = Number((await raw.insert('Folder', { name: 'inbox' })).id);
    const tag = (await raw.insert('Tag', { label: 't' })).id;
    notes = [];
    for (const body of ['one', 'two']) notes.push(String((await raw.insert('Note', { author: user, body, folder, tags: [tag] })).id));
    await raw.delete('Note', notes[1]!); // soft-deleted: the user's delete still removes its row
  });
  afterEach(async () => raw.close());

  it('audits the records a delete removes (cascade) and changes (set-null)', async () => {
    const storage = audited(raw, withRules([{ rule: 'audit', entities: ['Note', 'User'] }]));
    expect(await storage.delete('Folder', folder)).toBe(true);
    expect(await storage.delete('User', user)).toBe(true);
    const rows = await listAudit(raw.kysely);
    const described = rows.map((r) => `${r.action} ${r.entity}/${r.recordId}`);
    // Folder's delete sets both notes' folder to null; the user's delete removes the user, then its notes.
    expect(described.slice(0, 2).sort()).toEqual([`update Note/${notes[0]}`, `update Note/${notes[1]}`].sort());
    expect(described[2]).toBe(`delete User/${user}`);
    expect(described.slice(3).sort()).toEqual([`delete Note/${notes[0]}`, `delete Note/${notes[1]}`].sort());
    const nulled = rows.find((r) => r.action === 'update' && r.recordId === notes[0])!;
    expect(JSON.parse(nulled.before!)).toMatchObject({ folder, body: 'one' });
    expect(JSON.parse(nulled.after!)).toMatchObject({ folder: null, body: 'one' });
    expect(JSON.parse(rows[2]!.before!)).toMatchObject({ email: '***' });
    const softDeleted = rows.find((r) => r.action === 'delete' && r.recordId === notes[1])!;
    expect(JSON.parse(softDeleted.before!).deletedAt).toEqual(expect.any(String));
    expect((await verifyChain(raw.kysely)).broken).toBeUndefined();
  });

  it('logs a soft delete with the record after it, and a hard delete (retention, erasure) without', async () => {
    const storage = audited(raw, withRules([{ rule: 'audit', entities: ['Note'] }]));
    expect(await storage.delete('Note', notes[0]!)).toBe(true);
    expect(await storage.delete('Note', notes[0]!, { hard: true })).toBe(true);
    const [soft, hard] = await listAudit(raw.kysely);
    expect(JSON.parse(soft!.after!).deletedAt).toEqual(expect.any(String));
    expect(hard).toMatchObject({ action: 'delete', after: null });
    expect(JSON.parse(hard!.before!).deletedAt).toEqual(expect.any(String));
  });

  it('refuses a delete that would cascade into or set a reference of an immutable record', async () => {
    const storage = audited(raw, withRules([{ rule: 'immutable', entities: ['Note'] }]));
    await expect(storage.delete('User', user)).rejects.toMatchObject({ code: 'immutable_record', detail: expect.stringContaining(`by deleting User ${user}`) });
    await expect(storage.delete('Folder', folder)).rejects.toMatchObject({ code: 'immutable_record' });
    expect(await raw.get('User', user)).toBeDefined();
    expect(await raw.get('Note', notes[0]!)).toMatchObject({ folder });
  });
});
