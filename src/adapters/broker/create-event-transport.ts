import type { Kysely } from 'kysely';
import type { StorageEngineName } from '../storage/storage.ts';
import type { EventTransport, Subscription } from './event-transport.ts';
import { LocalEventTransport } from './local/local-event-transport.ts';

/** What any transport engine may need: the database (for the embedded one), the subscriptions and a lease time. */
export interface TransportDeps {
  db: Kysely<any>;
  dialect: StorageEngineName;
  subscriptions: readonly Subscription[];
  leaseMs?: number;
}

/**
 * Event transport engines by the spec's `architecture.storage.queue.engine` names. Only the
 * embedded `local` engine exists yet: NATS JetStream arrives in issue 5 (selected by `NATS_URL`,
 * like `DATABASE_URL` selects the database), until then a spec naming `nats` runs on `local`.
 */
export const EVENT_TRANSPORTS: Record<string, (deps: TransportDeps) => Promise<EventTransport>> = {
  local: async (deps) => new LocalEventTransport(deps),
};

/**
 * Builds the transport named `engine`.
 *
 * @example
 * const transport = await createEventTransport('local', { db: storage.kysely, dialect: storage.engine, subscriptions });
 */
export async function createEventTransport(engine: string, deps: TransportDeps): Promise<EventTransport> {
  const create = EVENT_TRANSPORTS[engine];
  if (!create) throw new Error(`unknown event transport ${engine} (known: ${Object.keys(EVENT_TRANSPORTS).join(', ')})`);
  return create(deps);
}
