/**
 * Compound growth projection, e.g. traffic or storage growing a fixed percentage a month.
 *
 * @example
 * projectMonthly(50_000, 0.1, 24).at(-1) // { month: 24, value: ≈ 492_487 }
 */

/** The projected value at the end of a month (month 0 is the starting point). */
export interface MonthlyPoint {
  month: number;
  value: number;
}

/**
 * Projects a value under compound monthly growth: value(m) = start × (1 + monthlyGrowth)^m.
 *
 * @param start value at month 0, finite
 * @param monthlyGrowth growth per month as a fraction (0.1 = 10%/month), finite and > −1
 *   (negative values project a decline)
 * @param months horizon, integer ≥ 0
 * @returns `months + 1` points, for months 0, 1, …, `months`, in order
 * @throws RangeError on a non-finite start, growth ≤ −1 or a non-integer/negative horizon
 */
export function projectMonthly(start: number, monthlyGrowth: number, months: number): MonthlyPoint[] {
  if (!Number.isFinite(start)) throw new RangeError(`start must be finite, got ${start}`);
  if (!(monthlyGrowth > -1) || !Number.isFinite(monthlyGrowth)) {
    throw new RangeError(`monthlyGrowth must be a finite fraction > -1, got ${monthlyGrowth}`);
  }
  if (!Number.isInteger(months) || months < 0) throw new RangeError(`months must be an integer ≥ 0, got ${months}`);
  return Array.from({ length: months + 1 }, (_, month) => ({ month, value: start * (1 + monthlyGrowth) ** month }));
}
