import type { Row, Storage, Transaction } from '../../adapters/storage/storage.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import type { Endpoint, Entity, SystemModel } from '../../model/system-model.ts';
import { ConfigError } from '../config-error.ts';
import { currentWork } from '../request-context.ts';
import type { Outbox } from './outbox.ts';

const WRITES = new Set(['insert', 'update', 'delete']);
const SERVER_FIELDS = ['version', 'createdAt', 'updatedAt', 'deletedAt'];

/**
 * The payload a generated write emits: the written record (for a delete, the record as it was)
 * restricted to the event's declared payload keys; for an event declaring none, the record
 * without its personal, sensitive and encrypted fields (they would otherwise be copied, in
 * clear, into the outbox and to every consumer).
 */
export function crudPayload(model: SystemModel, entity: Entity, event: string, record: Row): Record<string, unknown> {
  const declared = Object.keys(model.events.find((e) => e.name === event)?.payload ?? {});
  if (declared.length) return Object.fromEntries(declared.map((key) => [key, record[key] ?? null]));
  const hidden = new Set(entity.fields.filter((f) => f.pii || f.sensitive || f.encrypted).map((f) => f.name));
  return Object.fromEntries(Object.entries(record).filter(([key]) => !hidden.has(key)));
}

/** Fails start-up when a generated endpoint emits an event whose declared payload its entity cannot fill. */
function checkPayloads(model: SystemModel, endpoint: Endpoint, entity: Entity): void {
  const available = new Set([entity.id.field, ...entity.fields.map((f) => f.name), ...SERVER_FIELDS]);
  for (const name of endpoint.emits) {
    const missing = Object.keys(model.events.find((e) => e.name === name)?.payload ?? {}).filter((k) => !available.has(k));
    if (missing.length) {
      throw new ConfigError(
        `${endpoint.key} emits ${name}, whose payload declares ${missing.join(', ')}, which ${entity.name} records do not have`,
        `emit ${name} from a custom handler, or declare only ${entity.name} fields in its payload`,
      );
    }
  }
}

/**
 * `storage` for the generated CRUD endpoints that declare `emits`: while such an endpoint is
 * being served (read from the request context), its write of its entity runs in one transaction
 * together with an outbox row per declared event, carrying {@link crudPayload} of the written
 * record; other calls pass through untouched. Returns `storage` itself when no generated endpoint
 * emits. Throws ConfigError at start-up for a payload the entity cannot fill.
 *
 * @example
 * storage = withCrudEmits(storage, model, outbox); // before registerCrud
 */
export function withCrudEmits(storage: Storage, model: SystemModel, outbox: Outbox): Storage {
  const emitting = new Map<string, { endpoint: Endpoint; entity: Entity }>();
  for (const endpoint of model.api.endpoints) {
    if (!endpoint.emits.length || !endpoint.entity || !['create', 'update', 'delete'].includes(endpoint.operation)) continue;
    const entity = entityOf(model, endpoint.entity);
    checkPayloads(model, endpoint, entity);
    emitting.set(endpoint.key, { endpoint, entity });
  }
  if (!emitting.size) return storage;
  const served = () => {
    const key = currentWork()?.request?.routeOptions.config.endpoint;
    return key === undefined ? undefined : emitting.get(key);
  };

  const emittingTx = (tx: Transaction, { endpoint, entity }: { endpoint: Endpoint; entity: Entity }): Transaction => {
    const emitAll = async (record: Row) => {
      const emit = outbox.emitter(tx, {});
      for (const event of endpoint.emits) await emit(event, crudPayload(model, entity, event, record));
    };
    return new Proxy(tx, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function' || typeof key !== 'string' || !WRITES.has(key)) return typeof value === 'function' ? value.bind(target) : value;
        return async (name: string, ...args: unknown[]) => {
          if (name !== entity.name) return value.call(target, name, ...args);
          const before = key === 'delete' ? await target.get(name, args[0] as string | number) : undefined;
          const result = await value.call(target, name, ...args);
          if (key === 'insert' || (key === 'update' && result && !('conflict' in result))) await emitAll(result as Row);
          if (key === 'delete' && result === true && before) await emitAll(before);
          return result;
        };
      },
    });
  };

  return new Proxy(storage, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (key === 'transaction') {
        return async <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> => {
          const current = served();
          if (!current) return target.transaction(fn);
          const result = await target.transaction((tx) => fn(emittingTx(tx, current)));
          outbox.afterCommit();
          return result;
        };
      }
      if (typeof key === 'string' && WRITES.has(key)) {
        return async (name: string, ...args: unknown[]) => {
          const current = served();
          if (!current || name !== current.entity.name) return value.call(target, name, ...args);
          const result = await target.transaction((tx) => (emittingTx(tx, current) as any)[key](name, ...args));
          outbox.afterCommit();
          return result;
        };
      }
      return value.bind(target);
    },
  });
}
