import { ApiError } from '../api-error.ts';

/**
 * Errors of integration calls. {@link IntegrationUnavailableError} is what user code sees; the
 * attempt errors are internal: they tell the resilience policies (retry, circuit breaker) how to
 * treat one failed HTTP attempt, and their messages never name hosts or addresses, so they may
 * reach API clients.
 */

/** Why a call to an integration failed, as metrics, logs and {@link IntegrationUnavailableError.reason} name it. */
export type IntegrationFailureKind =
  | 'failure' // an error answer, a broken connection, a redirect, an oversize or non-JSON body
  | 'timeout' // no complete answer within the integration's timeout
  | 'rejected' // the bulkhead was full
  | 'short_circuited' // the circuit breaker was open
  | 'refused' // the SSRF guard refused the address
  | 'not_configured'; // the integration's url (env:NAME) is not set

/**
 * Thrown by `ctx.integrations.<name>.get/post` when the integration could not answer and its
 * `fallback` does not keep answering (`queue`, `deny`, `error` or none; `cached` without a cached
 * answer). It is an `ApiError` `service_unavailable`: in an HTTP request it becomes a 503
 * problem+json naming the integration, with `Retry-After` (the breaker's remaining open time when
 * it is open). In an event consumer or job any thrown error makes the runtime try the work again
 * later; `retryable` says whether that can help (false for configuration problems: a refused
 * address, an unset url).
 *
 * @example
 * try { await ctx.integrations.mailer.post('/messages', mail); }
 * catch (e) { if (e instanceof IntegrationUnavailableError && e.reason === 'short_circuited') ctx.log.info({}, 'mailer down'); throw e; }
 */
export class IntegrationUnavailableError extends ApiError {
  constructor(
    /** The integration's name in the spec. */
    readonly integration: string,
    readonly reason: IntegrationFailureKind,
    /** What went wrong, without hosts or addresses (safe to show a client). */
    readonly failure: string,
    retryAfterSeconds: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super('service_unavailable', `${integration} is unavailable (${failure})${isTransient(reason) ? '; retry shortly' : ''}`,
      retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
    this.name = 'IntegrationUnavailableError';
    if (options.cause !== undefined) this.cause = options.cause;
  }

  /** Whether the same call can succeed later without anyone changing the configuration. */
  get retryable(): boolean {
    return isTransient(this.reason);
  }
}

function isTransient(reason: IntegrationFailureKind): boolean {
  return reason !== 'refused' && reason !== 'not_configured';
}

/**
 * One HTTP attempt that failed. `retryable`: another attempt may succeed (timeouts, connection
 * errors, 408, 429, 5xx); `breakerFailure`: the integration misbehaved, so the circuit breaker
 * counts it (every attempt failure except a 4xx answer, which shows the integration is up and
 * refused our request).
 */
export class AttemptError extends Error {
  readonly code: 'integration_attempt_failed' | 'integration_timeout' = 'integration_attempt_failed';
  constructor(message: string, readonly retryable: boolean, readonly breakerFailure: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttemptError';
  }
}

/** An attempt that got no complete answer within the integration's timeout (retryable, counted by the breaker). */
export class AttemptTimeoutError extends AttemptError {
  override readonly code = 'integration_timeout';
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`no answer within ${timeoutMs} ms`, true, true, options);
    this.name = 'AttemptTimeoutError';
  }
}

/**
 * The SSRF guard refused to connect: the host is a loopback or metadata name, or (one of) its
 * addresses is not public. A configuration problem: never retried, not counted by the breaker.
 * `message` is safe for clients; `host`, `address` and `range` are for the operator's log.
 */
export class AddressRefusedError extends Error {
  readonly code = 'integration_address_refused';
  constructor(readonly host: string, readonly address: string | undefined, readonly range: string) {
    super('its address is refused by the SSRF guard');
    this.name = 'AddressRefusedError';
  }

  /** The full explanation, naming host and address: for logs only. */
  get explanation(): string {
    const what = this.address && this.address !== this.host ? `${this.host} resolves to ${this.address}, ${this.range}` : `${this.host} is ${this.range}`;
    return `${what}; set allowPrivateNetwork: true on the integration if this address is intended`;
  }
}
