/**
 * M/M/c queueing math (Poisson arrivals, exponential service, c identical servers, FIFO).
 *
 * Everything is numerically stable for thousands of servers: Erlang B is computed by its
 * recurrence and Erlang C derived from it, so no factorial or power of the load is ever formed.
 * Times are in milliseconds, arrival rates in requests per second.
 *
 * @example
 * erlangC(11, 10) // ≈ 0.6821
 * responseTimeQuantile({ arrivalRate: 200, serviceTimeMs: 50, servers: 12, quantile: 0.99 }) // ≈ 248.7
 */

import { formatNumber, plural } from './number-text.ts';

/** Inputs shared by the M/M/c time functions. */
export interface QueueInput {
  /** Mean arrival rate λ, requests per second (≥ 0). */
  arrivalRate: number;
  /** Mean service time 1/μ of one request on one server, ms (> 0). */
  serviceTimeMs: number;
  /** Number of servers c (integer ≥ 1). */
  servers: number;
}

/** A quantile request on a queue, e.g. `quantile: 0.99` for p99. */
export interface QuantileInput extends QueueInput {
  /** Quantile q, strictly between 0 and 1. */
  quantile: number;
}

function checkServers(servers: number): void {
  if (!Number.isInteger(servers) || servers < 1) throw new RangeError(`servers must be an integer ≥ 1, got ${servers}`);
}

function checkQueue({ arrivalRate, serviceTimeMs, servers }: QueueInput): void {
  checkServers(servers);
  if (!(arrivalRate >= 0) || !Number.isFinite(arrivalRate)) throw new RangeError(`arrivalRate must be finite and ≥ 0, got ${arrivalRate}`);
  if (!(serviceTimeMs > 0) || !Number.isFinite(serviceTimeMs)) throw new RangeError(`serviceTimeMs must be finite and > 0, got ${serviceTimeMs}`);
}

function checkQuantile(q: number): void {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be strictly between 0 and 1, got ${q}`);
}

/**
 * Probability that an arrival has to wait (Erlang C) in an M/M/c queue.
 *
 * @param servers number of servers c, integer ≥ 1
 * @param offeredLoad offered load a = λ/μ in Erlangs, ≥ 0
 * @returns a probability in [0, 1]; exactly 1 when `offeredLoad >= servers` (unstable queue)
 * @throws RangeError on a non-integer or non-positive `servers`, or a negative/non-finite load
 */
export function erlangC(servers: number, offeredLoad: number): number {
  checkServers(servers);
  if (!(offeredLoad >= 0) || !Number.isFinite(offeredLoad)) throw new RangeError(`offeredLoad must be finite and ≥ 0, got ${offeredLoad}`);
  if (offeredLoad >= servers) return 1;
  if (offeredLoad === 0) return 0;
  let b = 1; // Erlang B with 0 servers
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  const c = (servers * b) / (servers - offeredLoad * (1 - b));
  return Math.min(1, Math.max(0, c));
}

/** Rates of the queue in events per ms: μ (service), α = cμ − λ (drain rate of the queue), and C. */
function rates({ arrivalRate, serviceTimeMs, servers }: QueueInput) {
  const mu = 1 / serviceTimeMs;
  const lambda = arrivalRate / 1000;
  const alpha = servers * mu - lambda;
  return { mu, alpha, waitProbability: erlangC(servers, lambda / mu) };
}

/** True when λ < cμ, i.e. the queue does not grow without bound. */
function isStable(input: QueueInput): boolean {
  return (input.arrivalRate / 1000) * input.serviceTimeMs < input.servers;
}

/**
 * Mean sojourn time E[T] = E[W] + E[S] = C/(cμ − λ) + 1/μ, in ms.
 *
 * @returns the mean response time in ms, or `Infinity` when the queue is unstable (λ ≥ cμ)
 */
export function meanResponseTimeMs(input: QueueInput): number {
  checkQueue(input);
  if (!isStable(input)) return Infinity;
  const { mu, alpha, waitProbability } = rates(input);
  return waitProbability / alpha + 1 / mu;
}

/**
 * The q-quantile of the time spent waiting in the queue (excluding service), in ms.
 * P(W > t) = C·e^{−(cμ−λ)t}, so the quantile is 0 when C ≤ 1 − q.
 *
 * @returns the wait quantile in ms (≥ 0), or `Infinity` when the queue is unstable (λ ≥ cμ)
 */
export function waitQuantile(input: QuantileInput): number {
  checkQueue(input);
  checkQuantile(input.quantile);
  if (!isStable(input)) return Infinity;
  const { alpha, waitProbability } = rates(input);
  const tail = 1 - input.quantile;
  return waitProbability <= tail ? 0 : Math.log(waitProbability / tail) / alpha;
}

/**
 * Survival function P(T > t) of the sojourn time T = W + S, t in ms. W is 0 with probability
 * 1 − C and Exp(α = cμ − λ) otherwise; S is Exp(μ). The hypoexponential part is evaluated in an
 * expm1 form when (α − μ)t is small, which also covers the α = μ limit (1 + μt)e^{−μt}.
 */
function sojournSurvival(t: number, mu: number, alpha: number, waitProbability: number): number {
  const service = Math.exp(-mu * t);
  const delta = alpha - mu;
  let waitedAndServed: number;
  if (Math.abs(delta) * t < 1) {
    // (α e^{−μt} − μ e^{−αt}) / δ = e^{−μt} (1 + μ (1 − e^{−δt}) / δ), with (1 − e^{−δt})/δ → t.
    const g = delta === 0 ? t : -Math.expm1(-delta * t) / delta;
    waitedAndServed = service * (1 + mu * g);
  } else {
    waitedAndServed = (alpha * service - mu * Math.exp(-alpha * t)) / delta;
  }
  return (1 - waitProbability) * service + waitProbability * waitedAndServed;
}

/**
 * The q-quantile of the response (sojourn) time T = W + S in an M/M/c queue, in ms, from the
 * exact distribution P(T>t) = (1−C)e^{−μt} + C[(cμ−λ)e^{−μt} − μe^{−(cμ−λ)t}]/(cμ−λ−μ),
 * solved for P(T>t) = 1 − q by bisection (relative precision ~1e-12).
 *
 * @returns the quantile in ms, never below serviceTimeMs·ln(1/(1−q)); `Infinity` when λ ≥ cμ
 */
export function responseTimeQuantile(input: QuantileInput): number {
  checkQueue(input);
  checkQuantile(input.quantile);
  if (!isStable(input)) return Infinity;
  const { mu, alpha, waitProbability } = rates(input);
  const tail = 1 - input.quantile;
  // T ≥ S stochastically, so the service-time quantile is a lower bracket.
  let lo = Math.log(1 / tail) / mu;
  let hi = lo * 2;
  while (sojournSurvival(hi, mu, alpha, waitProbability) > tail) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (sojournSurvival(mid, mu, alpha, waitProbability) > tail) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Answer of {@link serversForQuantile}. */
export type ServersForQuantile =
  | { feasible: true; servers: number; achievedMs: number }
  | { feasible: false; reason: string; floorMs: number };

/**
 * The smallest number of servers whose q-quantile response time is at most `targetMs`.
 *
 * The quantile decreases monotonically in c towards the service-time quantile
 * serviceTimeMs·ln(1/(1−q)) (the floor), so a target at or below the floor is infeasible; so is a
 * target that needs more than `maxServers`. The search starts at the smallest stable c and uses
 * doubling then binary search, so the result meets the target while `servers − 1` does not.
 *
 * @returns `{ feasible: true, servers, achievedMs }` or `{ feasible: false, reason, floorMs }`
 */
export function serversForQuantile(input: {
  arrivalRate: number;
  serviceTimeMs: number;
  quantile: number;
  targetMs: number;
  maxServers?: number;
}): ServersForQuantile {
  const { arrivalRate, serviceTimeMs, quantile, targetMs, maxServers = 100_000 } = input;
  checkQueue({ arrivalRate, serviceTimeMs, servers: 1 });
  checkQuantile(quantile);
  checkServers(maxServers);
  const floorMs = serviceTimeMs * Math.log(1 / (1 - quantile));
  const label = quantileLabel(quantile);
  if (!(targetMs > floorMs)) {
    const reason =
      `with exponential service times of ${fmt(serviceTimeMs)} ms, ${label} cannot go below ${fmt(floorMs)} ms ` +
      `= ${fmt(serviceTimeMs)} ms x ln ${fmt(1 / (1 - quantile))}, whatever the number of instances`;
    return { feasible: false, reason, floorMs };
  }
  const at = (servers: number) => responseTimeQuantile({ arrivalRate, serviceTimeMs, servers, quantile });
  const minStable = Math.floor((arrivalRate / 1000) * serviceTimeMs) + 1;
  const tooMany = (): ServersForQuantile => ({
    feasible: false,
    floorMs,
    reason:
      `${label} of ${fmt(targetMs)} ms needs more than ${plural(maxServers, 'instance')}` +
      (minStable > maxServers ? ` (${formatNumber(minStable)} are needed just to keep up)` : ` (${formatNumber(maxServers)} give ${fmt(at(maxServers))} ms)`),
  });
  if (minStable > maxServers) return tooMany();
  if (at(minStable) <= targetMs) return { feasible: true, servers: minStable, achievedMs: at(minStable) };
  // Invariant: `fail` misses the target, `ok` meets it.
  let fail = minStable;
  let ok = Math.min(maxServers, minStable * 2);
  while (at(ok) > targetMs) {
    if (ok === maxServers) return tooMany();
    fail = ok;
    ok = Math.min(maxServers, ok * 2);
  }
  while (ok - fail > 1) {
    const mid = Math.floor((fail + ok) / 2);
    if (at(mid) <= targetMs) ok = mid;
    else fail = mid;
  }
  return { feasible: true, servers: ok, achievedMs: at(ok) };
}

/** One decimal with thousands separators, trailing zeros dropped; three significant digits for values below 0.05. */
function fmt(x: number): string {
  const r = Number(x.toFixed(1));
  return r !== 0 || x === 0 ? formatNumber(r) : String(Number(x.toPrecision(3)));
}

function quantileLabel(q: number): string {
  return `p${Number((q * 100).toPrecision(10))}`;
}
