import type { Kysely } from 'kysely';
import type { EventTransport } from '../../adapters/broker/event-transport.ts';
import { OUTBOX_TABLE, unpublished } from './outbox.ts';

/** Rows moved per round; a full batch starts the next round at once. */
export const RELAY_BATCH = 100;

/**
 * The outbox's delivering half: moves unpublished `_archspec_outbox` rows to the event transport,
 * oldest first, a batch at a time: publish the batch, then stamp `publishedAt`. A crash between
 * the two leaves the rows unstamped, so the next round publishes them again; the transport's
 * publish is idempotent per event id, so no consumer gets them twice. Several relays (several
 * instances) may run at once for the same reason.
 *
 * @example
 * const relay = new OutboxRelay(storage.kysely, transport);
 * const moved = await relay.publishBatch();
 */
export class OutboxRelay {
  constructor(private readonly db: Kysely<any>, private readonly transport: EventTransport, private readonly batch = RELAY_BATCH) {}

  /** Publishes one batch; resolves with how many events it moved. */
  async publishBatch(): Promise<number> {
    const messages = await unpublished(this.db, this.batch);
    if (!messages.length) return 0;
    await this.transport.publish(messages);
    await this.db.updateTable(OUTBOX_TABLE)
      .set({ publishedAt: new Date().toISOString() })
      .where('id', 'in', messages.map((m) => m.id))
      .where('publishedAt', 'is', null)
      .execute();
    return messages.length;
  }

  /** Forgets published outbox rows older than `before` (ISO-8601); resolves with how many. */
  async prune(before: string): Promise<number> {
    const result = await this.db.deleteFrom(OUTBOX_TABLE).where('publishedAt', 'is not', null).where('createdAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
