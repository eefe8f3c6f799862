import { describe, expect, it } from 'vitest';
import { entityOf, type RecordStore, type Row } from '../../adapters/storage/storage.ts';
import { callerWith, linkly } from '../auth/auth-test-support.ts';
import { ownedAmong } from './ownership.ts';

const model = linkly();
const me = callerWith('user');

/** A store holding only `rows` by entity, counting getMany calls; everything else is unused here. */
function storeOf(rows: Record<string, Row[]>, idField: Record<string, string>): RecordStore & { reads: number } {
  const store = {
    reads: 0,
    async getMany(entity: string, ids: readonly (string | number)[]) {
      store.reads++;
      return (rows[entity] ?? []).filter((r) => ids.includes(r[idField[entity]!] as string));
    },
  };
  return store as unknown as RecordStore & { reads: number };
}

describe('ownedAmong', () => {
  it('tells the caller\'s own records by owner field and by account id without reading anything', async () => {
    const store = storeOf({}, {});
    const links = [{ code: 'a', owner: me.userId }, { code: 'b', owner: 'u-2' }];
    expect(await ownedAmong(store, model, entityOf(model, 'Link'), links, me)).toEqual(new Set(['a']));
    const users = [{ id: me.userId }, { id: 'u-2' }];
    expect(await ownedAmong(store, model, entityOf(model, 'User'), users, me)).toEqual(new Set([me.userId]));
    expect(store.reads).toBe(0);
  });

  it('tells records owned through a parent with one batched read of the parents', async () => {
    const store = storeOf({ Link: [{ code: 'mine', owner: me.userId }, { code: 'theirs', owner: 'u-2' }] }, { Link: 'code' });
    const visits = [{ id: 'v1', link: 'mine' }, { id: 'v2', link: 'theirs' }, { id: 'v3', link: 'mine' }, { id: 'v4', link: 'gone' }];
    expect(await ownedAmong(store, model, entityOf(model, 'Visit'), visits, me)).toEqual(new Set(['v1', 'v3']));
    expect(store.reads).toBe(1);
  });

  it('owns nothing for an anonymous caller', async () => {
    expect((await ownedAmong(storeOf({}, {}), model, entityOf(model, 'Link'), [{ code: 'a', owner: me.userId }], undefined)).size).toBe(0);
  });
});
