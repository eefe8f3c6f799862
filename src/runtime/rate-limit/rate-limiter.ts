import type { CounterStore } from '../../adapters/counters/counter-store.ts';
import type { RateLimit, RateLimitRule, RateLimitScope } from '../../model/system-model.ts';
import { clientAddress } from './client-address.ts';

/** Who is asking: the client address and, once authenticated, the user and the API key used. */
export interface Requester {
  /** `request.ip` (trustProxy decides whether X-Forwarded-For is believed). */
  ip: string;
  userId?: string;
  apiKeyId?: string;
}

/** Where one rule stands after a request was counted. */
export interface RuleState {
  rule: RateLimitRule;
  /** Requests counted in the window, this one included. */
  count: number;
  /** Requests still admitted in the window. */
  remaining: number;
  resetInMs: number;
}

/** The answer for one request. */
export interface Verdict {
  admitted: boolean;
  /**
   * The rule the RateLimit headers report: when refused, the exceeded rule whose window ends last
   * (so Retry-After is when the request would pass); else the rule with the fewest requests left.
   * Undefined when no rule applies (a per-user limit and an anonymous caller).
   */
  reported?: RuleState;
  /** The rules the request exceeded (empty when admitted). */
  exceeded: RuleState[];
}

/**
 * The budget `requester` draws on under a rule, or undefined when the rule does not apply to it:
 * `caller` is the API key when one is used, else the user, else the client address; `user` and
 * `apiKey` apply only to callers signed in that way; `endpoint` is one budget for everybody.
 */
export function budgetOf(per: RateLimitScope, requester: Requester): string | undefined {
  switch (per) {
    case 'caller':
      if (requester.apiKeyId) return `key:${requester.apiKeyId}`;
      return requester.userId ? `user:${requester.userId}` : `ip:${clientAddress(requester.ip)}`;
    case 'user':
      return requester.userId === undefined ? undefined : `user:${requester.userId}`;
    case 'apiKey':
      return requester.apiKeyId === undefined ? undefined : `key:${requester.apiKeyId}`;
    case 'ip':
      return `ip:${clientAddress(requester.ip)}`;
    case 'endpoint':
      return 'all';
  }
}

/**
 * Counts requests against an endpoint's rate limit in a {@link CounterStore} (fixed windows, one
 * counter per rule and budget). The per-client rules (caller, user, API key, IP) are counted first,
 * together; the endpoint-wide rule only when they all admitted the request, so one client running
 * into its own limit does not use up the budget every caller shares.
 *
 * @example
 * const verdict = await limiter.admit('POST /links', endpoint.rateLimit, { ip: request.ip, userId: '42' });
 * if (!verdict.admitted) throw tooManyRequests(verdict);
 */
export class RateLimiter {
  constructor(private readonly counters: CounterStore) {}

  async admit(endpointKey: string, limit: RateLimit, requester: Requester): Promise<Verdict> {
    const applicable = limit.rules.flatMap((rule) => {
      const budget = budgetOf(rule.per, requester);
      return budget === undefined ? [] : [{ rule, key: `rl:${endpointKey}:${rule.per}:${budget}` }];
    });
    const perClient = applicable.filter((a) => a.rule.per !== 'endpoint');
    const shared = applicable.filter((a) => a.rule.per === 'endpoint');
    const states = await Promise.all(perClient.map((a) => this.count(a.rule, a.key)));
    if (states.every((s) => s.count <= s.rule.max)) states.push(...(await Promise.all(shared.map((a) => this.count(a.rule, a.key)))));
    return verdictOf(states);
  }

  private async count(rule: RateLimitRule, key: string): Promise<RuleState> {
    const { count, resetInMs } = await this.counters.hit(key, rule.windowMs);
    return { rule, count, remaining: Math.max(0, rule.max - count), resetInMs };
  }
}

function verdictOf(states: RuleState[]): Verdict {
  const exceeded = states.filter((s) => s.count > s.rule.max);
  const pick = (list: RuleState[], better: (a: RuleState, b: RuleState) => boolean) => list.reduce<RuleState | undefined>((best, s) => (!best || better(s, best) ? s : best), undefined);
  const reported = exceeded.length
    ? pick(exceeded, (a, b) => a.resetInMs > b.resetInMs)
    : pick(states, (a, b) => a.remaining < b.remaining || (a.remaining === b.remaining && a.resetInMs > b.resetInMs));
  return { admitted: exceeded.length === 0, reported, exceeded };
}
