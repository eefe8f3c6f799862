import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';

/**
 * Brute-force protection for login: failed attempts are counted per account and per client IP in a
 * fixed window; once either count reaches the limit (`api.auth.loginLimit`, default 5/min), logins
 * for that account or from that IP answer 429 with `Retry-After` until the window ends. A successful
 * login resets its account's count (not the IP's, so one good password does not reopen a flood).
 */

/** Counts events per key in fixed windows. Memory now; a shared store (Redis) can implement it later. */
export interface AttemptCounter {
  /** Adds one attempt to `key`'s window (opening a `windowMs` window if none is open). */
  hit(key: string, windowMs: number, nowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** The attempts in `key`'s open window (0 when none is open). */
  peek(key: string, nowMs: number): Promise<{ count: number; resetInMs: number }>;
  reset(key: string): Promise<void>;
}

/** {@link AttemptCounter} in this process's memory; expired windows are swept as it goes. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  async hit(key: string, windowMs: number, nowMs: number): Promise<{ count: number; resetInMs: number }> {
    if (this.windows.size > 10_000) this.sweep(nowMs);
    let w = this.windows.get(key);
    if (!w || w.endsAt <= nowMs) { w = { count: 0, endsAt: nowMs + windowMs }; this.windows.set(key, w); }
    w.count += 1;
    return { count: w.count, resetInMs: w.endsAt - nowMs };
  }

  async peek(key: string, nowMs: number): Promise<{ count: number; resetInMs: number }> {
    const w = this.windows.get(key);
    return !w || w.endsAt <= nowMs ? { count: 0, resetInMs: 0 } : { count: w.count, resetInMs: w.endsAt - nowMs };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private sweep(nowMs: number): void {
    for (const [key, w] of this.windows) if (w.endsAt <= nowMs) this.windows.delete(key);
  }
}

/** Attempts allowed per window, from a rate such as "5/min" (default 5 per minute). */
export function loginLimitOf(model: SystemModel): { max: number; windowMs: number } {
  const text = model.api.auth.loginLimit?.text ?? '5/min';
  const m = /^(\d+(?:\.\d+)?)\/(\w+)$/.exec(text);
  const unitMs: Record<string, number> = { s: 1e3, sec: 1e3, second: 1e3, m: 6e4, min: 6e4, minute: 6e4, h: 36e5, hour: 36e5, d: 864e5, day: 864e5 };
  const windowMs = unitMs[m?.[2] ?? ''];
  if (!m || windowMs === undefined) return { max: 5, windowMs: 60_000 };
  return { max: Math.max(1, Math.floor(Number(m[1]))), windowMs };
}

/** The throttle login consults before, and informs after, each password check. */
export class LoginThrottle {
  constructor(
    private readonly counter: AttemptCounter,
    private readonly limit: { max: number; windowMs: number },
    private readonly now: () => Date,
  ) {}

  /**
   * Refuses the attempt while the account or the IP is locked out.
   *
   * @throws ApiError('too_many_requests') with `Retry-After` (whole seconds until the window ends)
   */
  async check(account: string, ip: string): Promise<void> {
    const nowMs = this.now().getTime();
    const counts = await Promise.all([this.counter.peek(accountKey(account), nowMs), this.counter.peek(ipKey(ip), nowMs)]);
    const locked = counts.filter((c) => c.count >= this.limit.max);
    if (locked.length === 0) return;
    const seconds = Math.max(1, Math.ceil(Math.max(...locked.map((c) => c.resetInMs)) / 1000));
    throw new ApiError('too_many_requests', `Too many failed logins; try again in ${seconds} s.`, {
      retryAfterSeconds: seconds,
      headers: { 'Retry-After': String(seconds) },
    });
  }

  /** Counts a failed attempt against the account and the IP. */
  async failed(account: string, ip: string): Promise<void> {
    const nowMs = this.now().getTime();
    await Promise.all([this.counter.hit(accountKey(account), this.limit.windowMs, nowMs), this.counter.hit(ipKey(ip), this.limit.windowMs, nowMs)]);
  }

  /** Clears the account's failures after a successful login. */
  async succeeded(account: string): Promise<void> {
    await this.counter.reset(accountKey(account));
  }
}

const accountKey = (account: string) => `login:account:${account.trim().toLowerCase()}`;
const ipKey = (ip: string) => `login:ip:${ip}`;
