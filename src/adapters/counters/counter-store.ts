/**
 * The counter-store contract: fixed-window counters shared by the rate limits of `archspec serve`
 * and the login throttle. Engines live in `<engine>/<engine>-counter-store.ts` and are picked by
 * `create-counter-store.ts`; every engine passes `test/conformance/counter-store.suite.ts`:
 * `memory` counts per process, `redis` (selected by `REDIS_URL`) once for every instance of the service.
 *
 * Keys are opaque to the store; callers namespace them (`rl:POST /links:user:42`, `login:ip:10.0.0.1`).
 * Windows are fixed: the first hit opens a window of `windowMs`, later hits add to it until it ends,
 * then the next hit opens a new one. Times are durations (`resetInMs`), never clock readings, so a
 * store on another machine with another clock answers the same.
 */

/** A key's open window: what it counted so far and how long until it ends. */
export interface CounterWindow {
  /** Sum of the costs hit in the open window (0 when no window is open). */
  count: number;
  /** Milliseconds until the window ends (0 when no window is open). */
  resetInMs: number;
}

/** Fixed-window counters. Every method may reject when a remote store is unreachable. */
export interface CounterStore {
  /** The engine's name for logs and metrics (`memory`, `redis`). */
  readonly engine: string;
  /**
   * Whether the counts live in this process's memory: such a store cannot become unreachable, so
   * the server uses it as it is instead of wrapping it in a fallback.
   */
  readonly local: boolean;
  /**
   * Adds `cost` (default 1) to `key`'s open window, opening a window of `windowMs` when none is
   * open, and answers the window after the addition. Atomic per key: concurrent hits all count.
   */
  hit(key: string, windowMs: number, cost?: number): Promise<CounterWindow>;
  /** `key`'s open window without adding to it (`{ count: 0, resetInMs: 0 }` when none is open). */
  peek(key: string): Promise<CounterWindow>;
  /** Ends `key`'s window: the next hit opens a new one. */
  reset(key: string): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

/** The answer for a key with no open window. */
export const NO_WINDOW: Readonly<CounterWindow> = Object.freeze({ count: 0, resetInMs: 0 });
