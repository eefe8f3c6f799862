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
  /** The broker's address, for networked engines (`nats://127.0.0.1:4222`, from `NATS_URL`). */
  url?: string;
  /** The system's name (the spec's `system.name`): names its streams and subjects on a shared broker. */
  system?: string;
  /** How long the broker keeps messages (the events' retention). */
  retainMs?: number;
}

/** Which engine the environment selects, and where it is. */
export type EventTransportConfig = { engine: 'local' } | { engine: 'nats'; url: string };

/**
 * The engine the environment selects: `NATS_URL` set (and not blank) selects NATS JetStream at
 * that address, as `DATABASE_URL` selects the database; unset, the embedded `local` engine (the
 * application's database). The spec's `architecture.storage.queue.engine` describes the design;
 * the environment decides what this process runs on.
 *
 * @example
 * eventTransportConfigFrom({ NATS_URL: 'nats://127.0.0.1:4222' }) // { engine: 'nats', url: 'nats://127.0.0.1:4222' }
 * eventTransportConfigFrom({}) // { engine: 'local' }
 */
export function eventTransportConfigFrom(env: Record<string, string | undefined>): EventTransportConfig {
  const url = env.NATS_URL?.trim();
  return url ? { engine: 'nats', url } : { engine: 'local' };
}

/**
 * Event transport engines by the spec's `architecture.storage.queue.engine` names. `nats` is
 * imported only when chosen (its driver is not loaded otherwise) and needs `deps.url`.
 */
export const EVENT_TRANSPORTS: Record<string, (deps: TransportDeps) => Promise<EventTransport>> = {
  local: async (deps) => new LocalEventTransport(deps),
  nats: async (deps) => {
    if (!deps.url) throw new Error('the nats event transport needs a URL (NATS_URL)');
    const { NatsEventTransport } = await import('./nats/nats-event-transport.ts');
    return NatsEventTransport.open({
      url: deps.url, prefix: `archspec.${deps.system ?? 'system'}`, subscriptions: deps.subscriptions,
      ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}), ...(deps.retainMs !== undefined ? { retainMs: deps.retainMs } : {}),
    });
  },
};

/**
 * Builds the transport named `engine`. A networked engine that cannot be reached throws its
 * engine's one-line error (`EventTransportUnavailableError` for NATS).
 *
 * @example
 * const config = eventTransportConfigFrom(process.env);
 * const transport = await createEventTransport(config.engine, { db: storage.kysely, dialect: storage.engine, subscriptions, ...(config.engine === 'nats' ? { url: config.url } : {}) });
 */
export async function createEventTransport(engine: string, deps: TransportDeps): Promise<EventTransport> {
  const create = EVENT_TRANSPORTS[engine];
  if (!create) throw new Error(`unknown event transport ${engine} (known: ${Object.keys(EVENT_TRANSPORTS).join(', ')})`);
  return create(deps);
}
