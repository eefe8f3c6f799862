import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.ts';

/** A load the test finishes by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one load for concurrent callers of a key and hands everyone its value', async () => {
    const flights = new SingleFlight<string>();
    const load = deferred<string>();
    let loads = 0;
    const calls = Array.from({ length: 5 }, () => flights.run('k', () => { loads++; return load.promise; }, { meta: undefined }));
    load.resolve('v');
    expect(await Promise.all(calls)).toEqual(['v', 'v', 'v', 'v', 'v']);
    expect(loads).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('keeps keys apart and loads again once a flight ended', async () => {
    const flights = new SingleFlight<string>();
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await Promise.all([flights.run('a', load, { meta: undefined }), flights.run('b', load, { meta: undefined })])).toEqual(['v1', 'v2']);
    expect(await flights.run('a', load, { meta: undefined })).toBe('v3');
  });

  it('gives the leader its error and lets the callers who joined load for themselves', async () => {
    const flights = new SingleFlight<string>();
    const failing = deferred<string>();
    const leader = flights.run('k', () => failing.promise, { meta: undefined });
    const joiner = flights.run('k', async () => 'own load', { meta: undefined });
    failing.reject(new Error('transaction aborted'));
    await expect(leader).rejects.toThrow('transaction aborted');
    expect(await joiner).toBe('own load');
  });

  it('lets a caller refuse a flight by its meta and load alone', async () => {
    const flights = new SingleFlight<string, { inTransaction: boolean }>();
    const outside = deferred<string>();
    const first = flights.run('k', () => outside.promise, { meta: { inTransaction: false } });
    const inTx = await flights.run('k', async () => 'tx load', { meta: { inTransaction: true }, accept: (m) => m.inTransaction });
    expect(inTx).toBe('tx load');
    outside.resolve('outside load');
    expect(await first).toBe('outside load');
  });

  it('settles a led flight once: later settles are ignored', async () => {
    const flights = new SingleFlight<string | undefined>();
    const flight = flights.lead('k', undefined);
    const joined = flights.join('k')!;
    flight.settle('first');
    flight.settle('second');
    flight.fail();
    expect(await joined).toBe('first');
    expect(flights.join('k')).toBeUndefined();
  });
});
