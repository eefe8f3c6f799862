/**
 * Stampede protection: at most one load per key in flight. A caller that misses while another
 * caller's load of the same key runs waits for that load instead of starting its own, so N
 * concurrent misses cost one database read (or one handler run).
 *
 * Keys should include the tag versions the load started under: a caller that arrives after a
 * write (whose bump changed the versions) must not share a load that may have read the old data.
 * `meta` describes a flight so a caller can refuse to wait for it (a transaction must not wait for
 * a load that needs the connection the transaction holds).
 */
export class SingleFlight<T, M = undefined> {
  private readonly flights = new Map<string, { promise: Promise<T>; meta: M }>();

  /** The load in flight for `key`, if any and if `accept` takes it. */
  join(key: string, accept?: (meta: M) => boolean): Promise<T> | undefined {
    const flight = this.flights.get(key);
    return flight && (!accept || accept(flight.meta)) ? flight.promise : undefined;
  }

  /**
   * Registers the caller as the one loading `key` and returns how to finish: `settle(value)` hands
   * the value to everyone waiting, `fail()` rejects their wait; either ends the flight, and later
   * calls are ignored.
   */
  lead(key: string, meta: M): { settle(value: T): void; fail(): void } {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => {}); // nobody may have joined: no unhandled rejection
    const flight = { promise, meta };
    this.flights.set(key, flight);
    let done = false;
    const end = () => {
      if (done) return false;
      done = true;
      if (this.flights.get(key) === flight) this.flights.delete(key);
      return true;
    };
    return {
      settle: (value) => { if (end()) resolve(value); },
      fail: () => { if (end()) reject(new Error('the shared load failed')); },
    };
  }

  /**
   * `load()` once for all concurrent callers of `key` (those whose `accept` takes the flight in
   * progress). When the shared load fails, its leader gets the error and the callers who joined
   * load for themselves: an error of one caller's transaction must not fail another's request.
   */
  async run(key: string, load: () => Promise<T>, options: { meta: M; accept?: (meta: M) => boolean }): Promise<T> {
    const joined = this.join(key, options.accept);
    if (joined) {
      const shared = await joined.then((value) => ({ value }), () => undefined);
      return shared ? shared.value : load();
    }
    if (this.flights.has(key)) return load(); // a flight this caller may not wait for: load alone
    const flight = this.lead(key, options.meta);
    try {
      const value = await load();
      flight.settle(value);
      return value;
    } catch (error) {
      flight.fail();
      throw error;
    }
  }

  /** Loads in flight (for tests and diagnostics). */
  get size(): number {
    return this.flights.size;
  }
}
