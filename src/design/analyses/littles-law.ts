/**
 * Little's law: in a stable system, the mean number of requests in flight equals the arrival
 * rate times the mean time each request spends in the system (L = λW).
 *
 * @example
 * inFlight(200, 50) // 10 requests in flight at 200 req/s and 50 ms each
 */

/**
 * Mean number of requests in flight, L = λ × W.
 *
 * @param arrivalRatePerSec arrival (= completion) rate λ, requests per second, finite and ≥ 0
 * @param timeMs mean time W a request spends in the system, ms, finite and ≥ 0
 * @returns L, a non-negative (generally fractional) number of requests
 * @throws RangeError on a negative or non-finite input
 */
export function inFlight(arrivalRatePerSec: number, timeMs: number): number {
  if (!(arrivalRatePerSec >= 0) || !Number.isFinite(arrivalRatePerSec)) {
    throw new RangeError(`arrivalRatePerSec must be finite and ≥ 0, got ${arrivalRatePerSec}`);
  }
  if (!(timeMs >= 0) || !Number.isFinite(timeMs)) throw new RangeError(`timeMs must be finite and ≥ 0, got ${timeMs}`);
  return (arrivalRatePerSec * timeMs) / 1000;
}
