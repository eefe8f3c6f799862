import type { FastifyBaseLogger } from 'fastify';

/**
 * One log line per database outage instead of one per request or probe: the first failure is
 * logged with its error, later ones are counted and summed up at most once per `summaryEveryMs`,
 * and the first success after failures logs the recovery with the count (a failure after
 * `summaryEveryMs` without any starts a new outage, for servers nobody probes). State is per server
 * (see {@link databaseOutageOf}), so two servers in one process keep their own.
 */
export class OutageLog {
  private failingSince: number | undefined;
  private failures = 0;
  private unreported = 0;
  private reportedAt = 0;
  private lastFailureAt = 0;

  constructor(private readonly what: string, private readonly summaryEveryMs = 30_000, private readonly now: () => number = Date.now) {}

  /** Whether the last outcome was a failure. */
  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  /** Records a failure; logs it when it starts an outage, or a summary when one is due. */
  failed(log: FastifyBaseLogger, err: unknown): void {
    const now = this.now();
    // Without a readiness probe nothing reports the recovery: a long quiet spell ends the outage.
    if (this.failingSince !== undefined && now - this.lastFailureAt > this.summaryEveryMs) this.reset();
    this.lastFailureAt = now;
    this.failures++;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.reportedAt = now;
      log.warn({ err }, `${this.what} is unreachable; answering 503 with Retry-After until it is back`);
      return;
    }
    this.unreported++;
    if (now - this.reportedAt >= this.summaryEveryMs) {
      log.warn({ failures: this.unreported, sinceMs: now - this.failingSince }, `${this.what} is still unreachable (${this.unreported} more failure(s) since the last report)`);
      this.unreported = 0;
      this.reportedAt = now;
    }
  }

  /** Records a success; logs the recovery when an outage was under way. */
  ok(log: FastifyBaseLogger): void {
    if (this.failingSince === undefined) return;
    log.info({ failures: this.failures, durationMs: this.now() - this.failingSince }, `${this.what} answers again after ${this.failures} failure(s)`);
    this.reset();
  }

  private reset(): void {
    this.failingSince = undefined;
    this.failures = 0;
    this.unreported = 0;
  }
}

const outages = new WeakMap<object, OutageLog>();

/**
 * The database outage log of the server `key` belongs to. Pass the Node HTTP server
 * (`request.server.server`): every encapsulated Fastify context shares it.
 */
export function databaseOutageOf(key: object): OutageLog {
  let log = outages.get(key);
  if (!log) outages.set(key, (log = new OutageLog('the database')));
  return log;
}
