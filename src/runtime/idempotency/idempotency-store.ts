import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { IDEMPOTENCY_TABLE } from '../../adapters/storage/system-tables/idempotency-tables.ts';

/**
 * The `_archspec_idempotency` rows: claiming a key for a request, fencing the request's writes,
 * storing its answer, and what a repeated request gets. The claim, the answer and the release
 * commit on their own; the fence ({@link IdempotencyStore.fence}) is written in the request's own
 * write transaction, so "the write happened" and "the key says so" commit together or not at all.
 * The unique row id makes the claim atomic on both engines.
 *
 * A key's row moves pending -> committed (the request's writes committed) -> done (its answer is
 * stored). A takeover of a pending key replaces its owner token, and the old owner's fence then
 * fails (its transaction rolls back), so at most one request's writes commit under a key, however
 * slow the first one was. A committed key is never run again: when its answer was never stored
 * (the process died between the commit and the answer), repeats get `answer-lost`.
 */

/** How long keys live and when a request left pending is presumed dead. */
export interface IdempotencyOptions {
  /** How long a key and its stored answer are kept (default 24 h). */
  ttlMs?: number;
  /** A request still pending after this long (its process crashed) may be taken over (default 60 s). */
  takeoverMs?: number;
  /** At most one purge of expired rows per this interval (default 60 s). */
  purgeIntervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const DEFAULT_IDEMPOTENCY = { ttlMs: 24 * 3600_000, takeoverMs: 60_000, purgeIntervalMs: 60_000 } as const;

/** A stored answer, replayed as it was sent. */
export interface StoredResponse {
  status: number;
  /** The headers that matter to a client: content-type, location, etag. */
  headers: Record<string, string>;
  /** The body as sent (undefined: no body). */
  body?: string | Buffer;
}

/** The request that holds a key while it is processed. */
export interface KeyClaim {
  id: string;
  owner: string;
}

/** What a request with a key gets: to process it, or one of the answers that skip processing. */
export type ClaimResult =
  | { kind: 'owner'; claim: KeyClaim; takenOver: boolean }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reused' }
  | { kind: 'in-flight' }
  /** The request's writes committed but its process died before storing the answer; `location`: the created record, when known. */
  | { kind: 'answer-lost'; location?: string };

/** What a key is claimed for. */
export interface KeyRequest {
  id: string;
  endpoint: string;
  caller: string;
  key: string;
  requestHash: string;
}

/** Header holding how a binary body was stored (never sent). */
const BODY_ENCODING = ':body-encoding';
/** Claim attempts when rows vanish or expire under us (each retry follows another writer's progress). */
const ATTEMPTS = 4;

function decode(row: Record<string, unknown>): StoredResponse {
  const headers = JSON.parse(String(row.responseHeaders ?? '{}')) as Record<string, string>;
  const encoding = headers[BODY_ENCODING];
  delete headers[BODY_ENCODING];
  const text = row.responseBody === null || row.responseBody === undefined ? undefined : String(row.responseBody);
  return { status: Number(row.responseStatus), headers, ...(text === undefined ? {} : { body: encoding === 'base64' ? Buffer.from(text, 'base64') : text }) };
}

/** Idempotency keys in the database. */
export class IdempotencyStore {
  private readonly ttlMs: number;
  private readonly takeoverMs: number;
  private readonly purgeIntervalMs: number;
  private readonly now: () => number;
  private lastPurge = 0;

  constructor(private readonly db: Kysely<any>, options: IdempotencyOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY.ttlMs;
    this.takeoverMs = options.takeoverMs ?? DEFAULT_IDEMPOTENCY.takeoverMs;
    this.purgeIntervalMs = options.purgeIntervalMs ?? DEFAULT_IDEMPOTENCY.purgeIntervalMs;
    this.now = options.now ?? Date.now;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /**
   * Claims `request.id` for the calling request, or says why it must not run: the first request
   * inserts a `pending` row and owns it; a repeat of a finished request with the same hash gets
   * its stored answer (`replay`); a different request under the key is `reused`; a repeat while
   * the owner is still running is `in-flight`, unless the owner started longer than the takeover
   * time ago, when the caller takes the key over. Expired rows count as absent.
   */
  async claim(request: KeyRequest): Promise<ClaimResult> {
    await this.purgeWhenDue();
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const now = this.now();
      const owner = randomUUID();
      const inserted = await this.db.insertInto(IDEMPOTENCY_TABLE)
        .values({ ...request, status: 'pending', owner, startedAt: this.iso(now), createdAt: this.iso(now), expiresAt: this.iso(now + this.ttlMs) })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'owner', claim: { id: request.id, owner }, takenOver: false };
      const row = await this.db.selectFrom(IDEMPOTENCY_TABLE).selectAll().where('id', '=', request.id).executeTakeFirst();
      if (!row) continue;
      if (String(row.expiresAt) <= this.iso(now)) {
        await this.db.deleteFrom(IDEMPOTENCY_TABLE).where('id', '=', request.id).where('expiresAt', '=', row.expiresAt).execute();
        continue;
      }
      if (row.requestHash !== request.requestHash) return { kind: 'reused' };
      if (row.status === 'done') return { kind: 'replay', response: decode(row) };
      if (String(row.startedAt) > this.iso(now - this.takeoverMs)) return { kind: 'in-flight' };
      if (row.status === 'committed') {
        // Applied, but the answer never came: running it again would apply it twice.
        const location = (JSON.parse(String(row.responseHeaders ?? '{}')) as Record<string, string>).location;
        return { kind: 'answer-lost', ...(location ? { location } : {}) };
      }
      // The owner has been pending past the takeover time (its process died): take the key over,
      // unless another request just did (the owner token changes under the condition).
      const taken = await this.db.updateTable(IDEMPOTENCY_TABLE).set({ owner, startedAt: this.iso(now) })
        .where('id', '=', request.id).where('status', '=', 'pending').where('owner', '=', row.owner).executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return { kind: 'owner', claim: { id: request.id, owner }, takenOver: true };
    }
    return { kind: 'in-flight' };
  }

  /**
   * Marks the key `committed` inside the request's write transaction `tx`, if `claim` still owns
   * it. False when it was taken over meanwhile: the caller must then roll the transaction back
   * (the request that took the key over runs instead). `location` (the created record) is kept
   * for repeats that find the answer lost. Fencing a key twice (two transactions in one request) is fine.
   */
  async fence(tx: Kysely<any>, claim: KeyClaim, location?: string): Promise<boolean> {
    const fenced = await tx.updateTable(IDEMPOTENCY_TABLE)
      .set({ status: 'committed', ...(location ? { responseHeaders: JSON.stringify({ location }) } : {}) })
      .where('id', '=', claim.id).where('owner', '=', claim.owner).where('status', 'in', ['pending', 'committed'])
      .executeTakeFirst();
    return Number(fenced.numUpdatedRows) === 1;
  }

  /** Stores the owner's answer (`done`). False when the key was taken over meanwhile (the answer is then not stored). */
  async complete(claim: KeyClaim, response: StoredResponse): Promise<boolean> {
    const binary = Buffer.isBuffer(response.body);
    const headers = binary ? { ...response.headers, [BODY_ENCODING]: 'base64' } : response.headers;
    const body = response.body === undefined ? null : binary ? (response.body as Buffer).toString('base64') : String(response.body);
    const done = await this.db.updateTable(IDEMPOTENCY_TABLE)
      .set({ status: 'done', responseStatus: response.status, responseHeaders: JSON.stringify(headers), responseBody: body })
      .where('id', '=', claim.id).where('status', 'in', ['pending', 'committed']).where('owner', '=', claim.owner)
      .executeTakeFirst();
    return Number(done.numUpdatedRows) === 1;
  }

  /**
   * For a 5xx answer: forgets the owner's claim so the client may retry with the same key, unless
   * the request's writes already committed; then `response` is stored like any answer (a retry
   * must not apply the writes again).
   */
  async release(claim: KeyClaim, response: StoredResponse): Promise<void> {
    const deleted = await this.db.deleteFrom(IDEMPOTENCY_TABLE).where('id', '=', claim.id).where('status', '=', 'pending').where('owner', '=', claim.owner).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) await this.complete(claim, response);
  }

  /** Deletes expired rows now; returns how many. */
  async purgeExpired(): Promise<number> {
    this.lastPurge = this.now();
    const result = await this.db.deleteFrom(IDEMPOTENCY_TABLE).where('expiresAt', '<=', this.iso(this.lastPurge)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async purgeWhenDue(): Promise<void> {
    if (this.now() - this.lastPurge >= this.purgeIntervalMs) await this.purgeExpired();
  }
}
