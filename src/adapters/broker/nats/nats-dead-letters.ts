import type { JetStreamClient, JetStreamManager, MsgRequest, StoredMsg } from 'nats';
import type { DeliveryRecord, EventMessage, RedriveSelector } from '../event-transport.ts';
import type { NatsTopology } from './nats-topology.ts';

/** The body of a message on the dead-letter stream: the delivery as it was parked. */
export interface DeadLetter {
  /** `<eventId>:<consumer>`. */
  deliveryId: string;
  consumer: string;
  /** Attempts made (JetStream's delivery count when it was parked). */
  attempts: number;
  lastError: string;
  /** When it was parked (ISO-8601). */
  deadAt: string;
  /** When the event reached the events stream (ISO-8601). */
  publishedAt: string;
  message: EventMessage;
}

/**
 * The dead-letter stream of one system: read in sequence order (dead letters are few, and an
 * operator's command reads them; no consumer state is kept for them), redriven by publishing
 * each back to its consumer's events subject and then deleting it.
 */
export class NatsDeadLetters {
  constructor(private readonly jsm: JetStreamManager, private readonly js: JetStreamClient, private readonly names: NatsTopology) {}

  /** Every dead letter, oldest first, with its sequence in the dead-letter stream. */
  async all(): Promise<{ seq: number; dead: DeadLetter }[]> {
    const out: { seq: number; dead: DeadLetter }[] = [];
    for (let seq = 1; ;) {
      let stored;
      try {
        stored = await nextMessage(this.jsm, this.names.deadStream, seq, `${this.names.prefix}.dead.>`);
      } catch (e) {
        if (isNoMessage(e)) return out;
        throw e;
      }
      out.push({ seq: stored.seq, dead: stored.json<DeadLetter>() });
      seq = stored.seq + 1;
    }
  }

  async count(): Promise<number> {
    return (await this.jsm.streams.info(this.names.deadStream)).state.messages;
  }

  /**
   * Makes the dead letters `selector` picks pending again: each is published to its consumer's
   * events subject as a new message (attempts start again at 1), then deleted from the dead-letter
   * stream. A crash between the two leaves it in both places; redriving again is deduplicated
   * (the republished message's id names the dead letter), so nothing is delivered twice.
   */
  async redrive(selector: RedriveSelector): Promise<number> {
    const picked = (await this.all()).filter(({ dead }) => ('all' in selector)
      || ('consumer' in selector ? dead.consumer === selector.consumer : dead.deliveryId === selector.id || dead.message.id === selector.id));
    for (const { seq, dead } of picked) {
      await this.js.publish(this.names.eventSubject(dead.consumer, dead.message.name), JSON.stringify(dead.message), { msgID: `redrive:${dead.deliveryId}:${seq}` });
      await this.jsm.streams.deleteMessage(this.names.deadStream, seq, false);
    }
    return picked.length;
  }

  /** Newest first. */
  async list(limit: number): Promise<DeliveryRecord[]> {
    return (await this.all()).reverse().slice(0, limit).map(({ dead }) => ({
      id: dead.deliveryId, eventId: dead.message.id, event: dead.message.name, consumer: dead.consumer, status: 'dead',
      attempts: dead.attempts, nextAttemptAt: dead.deadAt, lastError: dead.lastError, emittedAt: dead.message.emittedAt,
      createdAt: dead.publishedAt, payload: dead.message.payload,
    }));
  }
}

/**
 * The first message of `stream` at or after `seq` on `subject` (wildcards allowed). The server
 * takes `next_by_subj` in STREAM.MSG.GET since 2.9; the client's type only lists it for direct gets.
 */
export function nextMessage(jsm: JetStreamManager, stream: string, seq: number, subject: string): Promise<StoredMsg> {
  return jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest);
}

/** The stream has no (further) message: JetStream answers 404 "no message found". */
export function isNoMessage(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { code?: number }; message?: string };
  return err?.api_error?.code === 404 || err?.code === '404' || /no message found/i.test(String(err?.message));
}
