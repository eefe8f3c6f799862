import {
  CircuitState, ExponentialBackoff, TimeoutStrategy, bulkhead, circuitBreaker, handleWhen, noop, retry, timeout,
  type CircuitBreakerPolicy, type IPolicy,
} from 'cockatiel';
import type { Integration } from '../../model/system-model.ts';
import type { HandlerLog } from '../handlers/handler-context.ts';
import { AttemptError } from './integration-errors.ts';
import type { IntegrationMetrics } from './integration-metrics.ts';
import { WindowBreaker } from './window-breaker.ts';

/**
 * The cockatiel policies of one integration, nested (outside in) retry -> bulkhead -> circuit
 * breaker -> timeout -> the HTTP attempt; the fallback is applied by the client around all of it.
 * Why this order (docs/decisions/0011-integrations.md): the timeout bounds each attempt, the
 * breaker counts attempts (so it opens during a retry storm and the remaining retries stop at
 * once), the bulkhead holds a slot only while a request is in flight (not during backoff) and its
 * rejections never reach the breaker, and only transient attempt failures are retried.
 */

/** Timeout of an integration that declares none, ms. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** First retry delay (decorrelated jitter grows it exponentially), and the longest, ms. */
const BACKOFF = { initialDelay: 50, maxDelay: 1_000 };

/** A breaker's state as reported by readiness and the gauge. */
export type BreakerState = 'closed' | 'half-open' | 'open';

/** The circuit breaker of one integration, with what cockatiel does not expose: since when it is open. */
export class BreakerWatch {
  private openedAt = 0;

  constructor(readonly policy: CircuitBreakerPolicy, private readonly halfOpenAfterMs: number) {
    policy.onStateChange((state) => { if (state === CircuitState.Open) this.openedAt = Date.now(); });
  }

  /**
   * cockatiel's state: `open` until a call arrives after `halfOpenAfter` and becomes the trial
   * (`half-open` while it runs).
   */
  get state(): BreakerState {
    const state = this.policy.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  /** Whole seconds (at least 1) until an open breaker lets a trial call through; undefined unless open. */
  retryAfterSeconds(): number | undefined {
    if (this.state !== 'open') return undefined;
    return Math.max(1, Math.ceil((this.openedAt + this.halfOpenAfterMs - Date.now()) / 1000));
  }
}

/** The policies of one integration, built once per server so the breaker and bulkhead see every call. */
export interface IntegrationPolicies {
  /** Runs one attempt through bulkhead, breaker and timeout; `run` gets the timeout's abort signal. */
  attempt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Runs `attempts` once, or with the integration's retries when the call is idempotent. */
  call<T>(idempotent: boolean, attempts: () => Promise<T>): Promise<T>;
  breaker: BreakerWatch | undefined;
  timeoutMs: number;
}

/**
 * Builds the policies of `integration`. An integration without a `breaker` block gets none (the
 * spec is what runs; `archspec design` flags the missing breaker), and without `bulkhead` no
 * concurrency cap. Breaker transitions are logged (warn on open, info on half-open and close) and
 * reported to `metrics`.
 */
export function integrationPolicies(integration: Integration, log: HandlerLog, metrics: IntegrationMetrics): IntegrationPolicies {
  const timeoutMs = integration.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const perAttempt = timeout(timeoutMs, TimeoutStrategy.Cooperative);
  const cap: IPolicy = integration.bulkhead ? bulkhead(integration.bulkhead, 0) : noop;
  const breaker = integration.breaker && breakerOf(integration, integration.breaker, log, metrics);
  const breakerPolicy: IPolicy = breaker?.policy ?? noop;
  const retrying = integration.retries > 0
    ? retry(handleWhen((e) => e instanceof AttemptError && e.retryable), { maxAttempts: integration.retries, backoff: new ExponentialBackoff(BACKOFF) })
    : noop;
  return {
    attempt: (run) => cap.execute(() => breakerPolicy.execute(() => perAttempt.execute((_context, signal) => run(signal)))),
    call: (idempotent, attempts) => (idempotent ? retrying : noop).execute(() => attempts()),
    breaker,
    timeoutMs,
  };
}

function breakerOf(integration: Integration, rule: NonNullable<Integration['breaker']>, log: HandlerLog, metrics: IntegrationMetrics): BreakerWatch {
  const policy = circuitBreaker(handleWhen((e) => e instanceof AttemptError && e.breakerFailure), {
    halfOpenAfter: rule.halfOpenAfterMs,
    breaker: new WindowBreaker({ failureRate: rule.failureRate, windowMs: rule.windowMs, minimumCalls: rule.minimumCalls }),
  });
  const watch = new BreakerWatch(policy, rule.halfOpenAfterMs);
  const name = integration.name;
  metrics.breakerState(name, 'closed');
  policy.onStateChange((state) => {
    const now = watch.state;
    metrics.breakerState(name, now);
    const context = { integration: name, breaker: now, fallback: integration.fallback ?? 'none' };
    if (state === CircuitState.Open) {
      const last = policy.lastFailure;
      const cause = last && 'error' in last ? last.error.message : undefined;
      log.warn({ ...context, cause, halfOpenAfterMs: rule.halfOpenAfterMs },
        `circuit breaker of ${name} opened: calls fail fast for ${rule.halfOpenAfterMs} ms, then one trial call`);
    } else if (state === CircuitState.HalfOpen) {
      log.info(context, `circuit breaker of ${name} half-open: one trial call`);
    } else if (state === CircuitState.Closed) {
      log.info(context, `circuit breaker of ${name} closed: ${name} answers again`);
    }
  });
  return watch;
}
