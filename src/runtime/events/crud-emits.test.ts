import { describe, expect, it } from 'vitest';
import type { Storage } from '../../adapters/storage/storage.ts';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
import { ConfigError } from '../config-error.ts';
import { crudPayload, withCrudEmits } from './crud-emits.ts';
import { Outbox } from './outbox.ts';

// What generated writes emit (the HTTP behaviour is in test/e2e/serve-events.test.ts).
const SPEC = 'examples/linkly/archspec.yaml';
const storage = { marker: 'storage' } as unknown as Storage;

describe('events from generated writes', () => {
  it('leaves the storage untouched when no generated endpoint emits', () => {
    const model = editedSpecModel(SPEC, undefined, 'linkly');
    expect(withCrudEmits(storage, model, new Outbox(model))).toBe(storage);
  });

  it('refuses to start when an emitted event declares a payload key the entity lacks, naming both', () => {
    const model = editedSpecModel(SPEC, (s) => {
      s.events['link.created'] = { description: 'x', producer: 'links', payload: { code: 'string', clicks: 'integer' } };
      s.api.endpoints['POST /links'].emits = ['link.created'];
    }, 'linkly');
    expect(() => withCrudEmits(storage, model, new Outbox(model))).toThrow(ConfigError);
    expect(() => withCrudEmits(storage, model, new Outbox(model))).toThrow('POST /links emits link.created, whose payload declares clicks, which Link records do not have');
  });

  it('sends the declared keys of the record, or without a declared payload the record minus personal and secret fields', () => {
    const model = editedSpecModel(SPEC, (s) => {
      s.events['user.changed'] = { description: 'x', producer: 'links' };
      s.events['link.created'] = { description: 'x', producer: 'links', payload: { code: 'string', title: 'string' } };
    }, 'linkly');
    const user = model.entities.find((e) => e.name === 'User')!;
    const link = model.entities.find((e) => e.name === 'Link')!;
    expect(crudPayload(model, user, 'user.changed', { id: 'u1', email: 'a@example.com', name: 'Ann', role: 'user', version: 2 })).toEqual({ id: 'u1', role: 'user', version: 2 });
    expect(crudPayload(model, link, 'link.created', { code: 'c1', target: 'https://x', title: undefined })).toEqual({ code: 'c1', title: null });
  });
});
