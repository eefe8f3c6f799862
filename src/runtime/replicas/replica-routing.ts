import type { SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import type { ReplicaRouting } from '../../adapters/storage/replicas/replicated-storage.ts';
import { isCacheFill } from '../cache/cache-fill.ts';
import { currentCaller, currentWork } from '../request-context.ts';

/**
 * How the runtime tells the replicated storage who is reading and which reads need the primary:
 *
 * - **principal**: the signed-in user, `user:<id>` (the same with a token or an API key, so a write
 *   made with one is seen by reads made with the other). Anonymous requests have none: they get
 *   no read-your-writes guarantee.
 * - **preferPrimary**: every read except those made while serving a GET or HEAD request, and,
 *   within those, reads that fill a cache (cache-fill.ts). Reads made while serving a write
 *   (the generated update finds the record it checks If-Match against), by jobs, event consumers
 *   and anything outside a request read-modify-write and must see the latest state.
 * - **principalsCreatedBy**: signing up creates the account anonymously; its record stands for the
 *   new user, whose first reads must see it.
 *
 * @example
 * new ReplicatedStorage(primary, { replicas, positions, routing: replicaRouting(model) });
 */
export function replicaRouting(model: SystemModel): ReplicaRouting {
  const accounts = model.api.auth.userEntity;
  const accountId = model.entities.some((e) => e.name === accounts) ? entityOf(model, accounts).id.field : undefined;
  return {
    principal: () => {
      const caller = currentCaller();
      return caller ? `user:${caller.userId}` : undefined;
    },
    preferPrimary: () => {
      const request = currentWork()?.request;
      if (!request || currentWork()?.source !== 'http') return true;
      if (request.method !== 'GET' && request.method !== 'HEAD') return true;
      return isCacheFill();
    },
    principalsCreatedBy: (entity, row) => (entity === accounts && accountId !== undefined && row[accountId] != null ? [`user:${String(row[accountId])}`] : []),
  };
}
