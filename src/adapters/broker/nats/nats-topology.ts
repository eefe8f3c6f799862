import { AckPolicy, DeliverPolicy, nanos, RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamManager, type StreamConfig } from 'nats';

/**
 * The JetStream names of one system, and their creation. Two streams per system:
 * - `<stream>_events`, subjects `<prefix>.events.<consumer>.<event>`: one message per subscribed
 *   consumer (the fan-out happens at publish, as in the local engine), so each archspec consumer
 *   is one durable pull consumer filtered to `<prefix>.events.<consumer>.>` (a single filter:
 *   nats-server 2.9 has no multi-subject filters), and a redriven dead letter goes back to its one
 *   consumer only;
 * - `<stream>_dead`, subjects `<prefix>.dead.<consumer>`: dead letters with their last error.
 */
export interface NatsTopology {
  prefix: string;
  eventsStream: string;
  deadStream: string;
  /** The events subject of `consumer` for `event`. */
  eventSubject(consumer: string, event: string): string;
  deadSubject(consumer: string): string;
  /** The durable consumer's name and filter for an archspec consumer (a component). */
  durable(consumer: string): { name: string; filter: string };
}

/** A subject token or a stream/durable name: letters, digits, `_` and `-` (dots, spaces and wildcards have meanings). */
export function token(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/**
 * The names for subject prefix `prefix` (dot-separated tokens, `archspec.linkly`): streams
 * `archspec_linkly_events` and `archspec_linkly_dead`.
 *
 * @example
 * topology('archspec.linkly').eventSubject('analytics', 'link.visited') // 'archspec.linkly.events.analytics.link.visited'
 */
export function topology(prefix: string): NatsTopology {
  const clean = prefix.split('.').map(token).join('.');
  const stream = clean.replace(/\./g, '_');
  // Event names are dotted (`link.visited`): each token is kept, so subjects stay readable; the
  // message body carries the exact name.
  const eventTokens = (event: string) => event.split('.').map(token).join('.');
  return {
    prefix: clean,
    eventsStream: `${stream}_events`,
    deadStream: `${stream}_dead`,
    eventSubject: (consumer, event) => `${clean}.events.${token(consumer)}.${eventTokens(event)}`,
    deadSubject: (consumer) => `${clean}.dead.${token(consumer)}`,
    durable: (consumer) => ({ name: token(consumer), filter: `${clean}.events.${token(consumer)}.>` }),
  };
}

/** How long streams keep things, and the lease. */
export interface TopologyLimits {
  leaseMs: number;
  /** How long the events stream keeps a message (handled or not): its `max_age`. */
  retainMs: number;
  /** The publish deduplication window (`Nats-Msg-Id`). */
  duplicateWindowMs: number;
}

/**
 * Creates (or updates to the configuration given) both streams and one durable consumer per
 * archspec consumer. Safe to run from several processes at once: adding an identical stream or
 * consumer is a no-op, and a different one is updated in place.
 */
export async function ensureTopology(jsm: JetStreamManager, names: NatsTopology, consumers: readonly string[], limits: TopologyLimits): Promise<void> {
  const events: Partial<StreamConfig> & { name: string } = {
    name: names.eventsStream, subjects: [`${names.prefix}.events.>`], retention: RetentionPolicy.Limits, storage: StorageType.File,
    max_age: nanos(limits.retainMs), duplicate_window: nanos(Math.min(limits.duplicateWindowMs, limits.retainMs)),
  };
  const dead: Partial<StreamConfig> & { name: string } = {
    name: names.deadStream, subjects: [`${names.prefix}.dead.>`], retention: RetentionPolicy.Limits, storage: StorageType.File,
    duplicate_window: nanos(limits.duplicateWindowMs),
  };
  await Promise.all([addOrUpdateStream(jsm, events), addOrUpdateStream(jsm, dead)]);
  await Promise.all(consumers.map(async (consumer) => {
    const { name, filter } = names.durable(consumer);
    const config: Partial<ConsumerConfig> = {
      durable_name: name, filter_subject: filter, ack_policy: AckPolicy.Explicit, ack_wait: nanos(limits.leaseMs),
      // Every message on this consumer's subjects was routed to it: a consumer created after
      // messages were published (the first process to start) still gets them.
      deliver_policy: DeliverPolicy.All,
      // Unlimited: the dispatcher counts attempts and parks a delivery as a dead letter itself
      // (JetStream's own limit would drop it silently, with only an advisory).
      max_deliver: -1,
      max_ack_pending: 10_000,
    };
    try {
      await jsm.consumers.add(names.eventsStream, config);
    } catch (e) {
      // The durable exists with another configuration (another lease time): update what may change.
      if (!/already (exists|in use)/i.test(String((e as Error).message))) throw e;
      await jsm.consumers.update(names.eventsStream, name, { ack_wait: config.ack_wait!, max_ack_pending: config.max_ack_pending! });
    }
  }));
}

async function addOrUpdateStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (e) {
    if (!/already in use/i.test(String((e as Error).message))) throw e;
    await jsm.streams.update(config.name, config);
  }
}
