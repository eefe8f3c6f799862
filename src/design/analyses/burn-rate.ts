/**
 * Multiwindow, multi-burn-rate SLO alerts, after the Google SRE Workbook, chapter "Alerting on
 * SLOs" (recommended windows table). An alert fires when the error rate over both the long and
 * the short window exceeds burnRate × (1 − SLO); the short window (1/12 of the long one) makes
 * the alert reset quickly once the burn stops.
 *
 * For a 30-day SLO window the rows are the Workbook's: page at 2% of the budget in 1h (burn
 * rate 14.4), page at 5% in 6h (6), ticket at 10% in 3d (1). Other SLO windows keep the same
 * alert windows and budget fractions, and the burn rates scale with the SLO window.
 *
 * @example
 * burnRateAlerts(0.999)[0] // { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4, ... }
 */

const HOUR_MS = 3_600_000;

/** One alerting rule: fire at `severity` when both windows burn faster than `burnRate`. */
export interface BurnRateAlert {
  severity: 'page' | 'ticket';
  /** Long window label, e.g. '1h'. */
  longWindow: string;
  /** Short window label, e.g. '5m'. */
  shortWindow: string;
  longWindowMs: number;
  shortWindowMs: number;
  /** Multiple of the sustainable error rate: budgetConsumed × SLO window / long window. */
  burnRate: number;
  /** Fraction of the whole error budget spent over the long window when the alert fires. */
  budgetConsumed: number;
  /** Error-rate (fraction of requests) threshold for both windows: burnRate × (1 − SLO). */
  errorRateThreshold: number;
  /** False when the threshold exceeds 100% of requests, so the alert can never fire. */
  feasible: boolean;
}

interface Row {
  severity: 'page' | 'ticket';
  longWindow: string;
  longHours: number;
  shortWindow: string;
  shortHours: number;
  /** Budget consumed, in percent (kept integral so 2% × 720h / 1h is exactly 14.4). */
  budgetPercent: number;
}

/** SRE Workbook, "Alerting on SLOs", recommended parameters for a 99.9% / 30-day SLO. */
const WORKBOOK_ROWS: readonly Row[] = [
  { severity: 'page', longWindow: '1h', longHours: 1, shortWindow: '5m', shortHours: 5 / 60, budgetPercent: 2 },
  { severity: 'page', longWindow: '6h', longHours: 6, shortWindow: '30m', shortHours: 0.5, budgetPercent: 5 },
  { severity: 'ticket', longWindow: '3d', longHours: 72, shortWindow: '6h', shortHours: 6, budgetPercent: 10 },
];

/**
 * The recommended multiwindow, multi-burn-rate alerts for an SLO.
 *
 * @param slo target success ratio, strictly between 0 and 1 (e.g. 0.999)
 * @param windowDays SLO compliance window in days, > 0 (default 30); burn rates scale with it
 * @returns three alerts, fastest first: page 1h/5m, page 6h/30m, ticket 3d/6h. Rows whose
 *   error-rate threshold exceeds 1 (very loose SLOs) are returned with `feasible: false`.
 * @throws RangeError when `slo` is not in (0, 1) or `windowDays` is not a positive finite number
 */
export function burnRateAlerts(slo: number, windowDays = 30): BurnRateAlert[] {
  if (!(slo > 0 && slo < 1)) throw new RangeError(`slo must be a fraction strictly between 0 and 1, got ${slo}`);
  if (!(windowDays > 0) || !Number.isFinite(windowDays)) {
    throw new RangeError(`windowDays must be a positive finite number, got ${windowDays}`);
  }
  const windowHours = windowDays * 24;
  return WORKBOOK_ROWS.map((row) => {
    const burnRate = (row.budgetPercent * windowHours) / row.longHours / 100;
    const errorRateThreshold = burnRate * (1 - slo);
    return {
      severity: row.severity,
      longWindow: row.longWindow,
      shortWindow: row.shortWindow,
      longWindowMs: row.longHours * HOUR_MS,
      shortWindowMs: Math.round(row.shortHours * HOUR_MS),
      burnRate,
      budgetConsumed: row.budgetPercent / 100,
      errorRateThreshold,
      feasible: errorRateThreshold <= 1,
    };
  });
}
