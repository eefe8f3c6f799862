/**
 * Availability arithmetic: downtime budgets and composition of components in series and in
 * parallel. Availabilities are fractions in [0, 1] (0.999 means "three nines"), and components
 * are assumed to fail independently.
 *
 * @example
 * downtimeAllowance(0.999).perMonthMs / 60_000 // 43.2 (minutes per 30-day month)
 * serial([0.9999, redundant(0.99, 2), 0.9995]) // ≈ 0.9993
 */

const DAY_MS = 86_400_000;

/** Downtime a given availability allows over fixed calendar periods, in ms. */
export interface DowntimeAllowance {
  perDayMs: number;
  perWeekMs: number;
  /** Per 30-day month. */
  perMonthMs: number;
  /** Per 365-day year. */
  perYearMs: number;
}

function checkAvailability(a: number, what = 'availability'): void {
  if (!(a >= 0 && a <= 1)) throw new RangeError(`${what} must be a fraction in [0, 1], got ${a}`);
}

/**
 * Downtime allowed by an availability target: (1 − availability) × period.
 *
 * @param availability fraction in [0, 1], e.g. 0.999
 * @returns allowances per day, 7-day week, 30-day month and 365-day year, in ms
 * @throws RangeError when `availability` is outside [0, 1]
 */
export function downtimeAllowance(availability: number): DowntimeAllowance {
  checkAvailability(availability);
  const perDayMs = (1 - availability) * DAY_MS;
  return { perDayMs, perWeekMs: perDayMs * 7, perMonthMs: perDayMs * 30, perYearMs: perDayMs * 365 };
}

/**
 * Availability of components that must all be up (a chain): the product of their availabilities.
 *
 * @param parts availabilities in [0, 1]; an empty list gives 1 (nothing can fail)
 * @throws RangeError when any part is outside [0, 1]
 */
export function serial(parts: number[]): number {
  parts.forEach((a, i) => checkAvailability(a, `parts[${i}]`));
  return parts.reduce((product, a) => product * a, 1);
}

/**
 * Availability of components of which at least one must be up: 1 − Π(1 − aᵢ).
 *
 * @param parts availabilities in [0, 1]; an empty list gives 0 (nothing to serve)
 * @throws RangeError when any part is outside [0, 1]
 */
export function parallel(parts: number[]): number {
  parts.forEach((a, i) => checkAvailability(a, `parts[${i}]`));
  return 1 - parts.reduce((product, a) => product * (1 - a), 1);
}

/**
 * Availability of `replicas` identical replicas of which at least one must be up: 1 − (1 − a)^replicas.
 *
 * @param a availability of one replica, in [0, 1]
 * @param replicas number of replicas, integer ≥ 0 (0 gives 0)
 * @throws RangeError when `a` is outside [0, 1] or `replicas` is not a non-negative integer
 */
export function redundant(a: number, replicas: number): number {
  checkAvailability(a);
  if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`replicas must be an integer ≥ 0, got ${replicas}`);
  return 1 - (1 - a) ** replicas;
}
