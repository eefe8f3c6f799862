import type { CounterStore } from '../../adapters/counters/counter-store.ts';
import { rateWindow } from '../../model/normalize/rate-limit.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import { clientAddress } from '../rate-limit/client-address.ts';

/**
 * Brute-force protection for login: failed attempts are counted per account and per client IP in a
 * fixed window; once either count reaches the limit (`api.auth.loginLimit`, default 5/min), logins
 * for that account or from that IP answer 429 with `Retry-After` until the window ends. A successful
 * login resets its account's count (not the IP's, so one good password does not reopen a flood).
 * The counts live in a {@link CounterStore}: the server hands the login routes its own store (see
 * `AuthService.registerRoutes`), so with a shared store (Redis) every instance sees the same counts.
 */

/** Which count locked a login out. */
export type LoginLimitScope = 'account' | 'ip';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Called for every refused attempt, with the counts that refused it (the server counts them in a metric). */
  onRefused?: (scopes: LoginLimitScope[]) => void;
}

/** Attempts allowed per window, from a rate such as "5/min" (default 5 per minute). */
export function loginLimitOf(model: SystemModel): { max: number; windowMs: number } {
  const { max, windowMs } = rateWindow(model.api.auth.loginLimit?.text ?? '5/min');
  // A login limit of 0 would lock everybody out for good: at least one attempt per window.
  return { max: Math.max(1, max), windowMs };
}

/** The throttle login consults before, and informs after, each password check. */
export class LoginThrottle {
  constructor(
    private readonly counters: CounterStore,
    private readonly limit: { max: number; windowMs: number },
    private readonly options: LoginThrottleOptions = {},
  ) {}

  /**
   * Refuses the attempt while the account or the IP is locked out.
   *
   * @throws ApiError('too_many_requests') with `Retry-After` (whole seconds until the window ends)
   */
  async check(account: string, ip: string): Promise<void> {
    const [byAccount, byIp] = await Promise.all([this.counters.peek(accountKey(account)), this.counters.peek(ipKey(ip))]);
    const locked = ([['account', byAccount], ['ip', byIp]] as const).filter(([, c]) => c.count >= this.limit.max);
    if (locked.length === 0) return;
    this.options.onRefused?.(locked.map(([scope]) => scope));
    const seconds = Math.max(1, Math.ceil(Math.max(...locked.map(([, c]) => c.resetInMs)) / 1000));
    throw new ApiError('too_many_requests', `Too many failed logins; try again in ${seconds} s.`, {
      retryAfterSeconds: seconds,
      headers: { 'Retry-After': String(seconds) },
    });
  }

  /** Counts a failed attempt against the account and the IP. */
  async failed(account: string, ip: string): Promise<void> {
    await Promise.all([this.counters.hit(accountKey(account), this.limit.windowMs), this.counters.hit(ipKey(ip), this.limit.windowMs)]);
  }

  /** Clears the account's failures after a successful login. */
  async succeeded(account: string): Promise<void> {
    await this.counters.reset(accountKey(account));
  }
}

const accountKey = (account: string) => `login:account:${account.trim().toLowerCase()}`;
const ipKey = (ip: string) => `login:ip:${clientAddress(ip)}`;
