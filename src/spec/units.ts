/**
 * Strict unit grammar of the spec. Each unit has one regular expression (used by the schema, so the
 * JSON Schema carries it as a `pattern` for editors) and one parser (used by the model).
 *
 * @example
 * parseDuration('300ms') // 300
 * parsePercent('99.95%') // 0.9995
 */

const DURATION_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const SIZE_BYTES = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4,
} as const;
const PERIOD_MONTHS = { week: 12 / 52, month: 1, year: 12 } as const;
const RATE_PER_SECOND = { s: 1, sec: 1, second: 1, m: 1 / 60, min: 1 / 60, minute: 1 / 60, h: 1 / 3600, hour: 1 / 3600, d: 1 / 86400, day: 1 / 86400 } as const;

export const UNIT_PATTERNS = {
  duration: /^\d+(\.\d+)?(ms|s|m|h|d|w)$/,
  percent: /^\d+(\.\d+)?%$/,
  growth: /^-?\d+(\.\d+)?%\/(week|month|year)$/,
  size: /^\d+(\.\d+)?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/,
  horizon: /^\d+\s?(months?|years?)$/,
  rate: /^\d+(\.\d+)?\/(s|sec|second|m|min|minute|h|hour|d|day)$/,
} as const;

export type UnitKind = keyof typeof UNIT_PATTERNS;

/** What each unit looks like, for error hints. */
export const UNIT_EXAMPLES: Record<UnitKind, string> = {
  duration: 'a number and a unit: 300ms, 2s, 15m, 1h, 30d, 2w',
  percent: 'a number and a percent sign: 99.95%',
  growth: 'a percentage per period: 10%/month, 50%/year',
  size: 'a number and a unit: 512KB, 10MiB, 1.5GB',
  horizon: 'a number of months or years: 24 months, 2 years',
  rate: 'a count per period: 100/min, 20/s, 1000/hour',
};

function match(kind: UnitKind, text: string): RegExpMatchArray {
  const m = UNIT_PATTERNS[kind].exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a ${kind} (${UNIT_EXAMPLES[kind]})`);
  return m;
}

/** Parses `300ms`, `15m`, `30d` into milliseconds. Throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const m = match('duration', text);
  return parseFloat(text) * DURATION_MS[m[2] as keyof typeof DURATION_MS];
}

/** Parses `99.95%` into the fraction 0.9995. */
export function parsePercent(text: string): number {
  match('percent', text);
  return parseFloat(text) / 100;
}

/** Parses `10%/month` into a monthly compound growth fraction (0.1). Yearly rates are converted. */
export function parseGrowth(text: string): number {
  const m = match('growth', text);
  const perPeriod = parseFloat(text) / 100;
  const months = PERIOD_MONTHS[m[2] as keyof typeof PERIOD_MONTHS];
  return Math.pow(1 + perPeriod, 1 / months) - 1;
}

/** Parses `10MiB` or `1.5GB` into bytes. */
export function parseSize(text: string): number {
  const m = match('size', text);
  return parseFloat(text) * SIZE_BYTES[m[2] as keyof typeof SIZE_BYTES];
}

/** Parses `24 months` or `2 years` into a whole number of months. */
export function parseHorizon(text: string): number {
  const m = match('horizon', text);
  const n = parseInt(text, 10);
  return m[1]!.startsWith('year') ? n * 12 : n;
}

/** Parses `100/min` into events per second. */
export function parseRate(text: string): number {
  const m = match('rate', text);
  return parseFloat(text) * RATE_PER_SECOND[m[2] as keyof typeof RATE_PER_SECOND];
}

/** Formats milliseconds for people: 0.5 ms, 230 ms, 4.32 min, 8.76 h, 3.65 d. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(round(ms, 3));
  // Pick the unit from the value as it will be shown, so 999.9999 ms is "1 s", not "1000 ms".
  if (abs < 1_000) return `${round(ms, 3)} ms`;
  if (round(abs / 1_000, 3) < 60) return `${round(ms / 1_000, 3)} s`;
  if (round(abs / 60_000, 3) < 60) return `${round(ms / 60_000, 3)} min`;
  if (round(abs / 3_600_000, 3) < 24) return `${round(ms / 3_600_000, 3)} h`;
  return `${round(ms / 86_400_000, 3)} d`;
}

/** Formats a fraction as a percentage with up to `digits` decimals: 0.9995 -> "99.95%". */
export function formatPercent(fraction: number, digits = 4): string {
  return `${round(fraction * 100, digits)}%`;
}

/** Rounds to `digits` significant decimals without trailing zeros. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** 16384 -> "16 KiB", 1048576 -> "1 MiB", 1500000 -> "1.5 MB": binary units when the value is a whole number of them. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  for (const [unit, size] of [['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= size) return `${Math.round((bytes / size) * 100) / 100} ${unit}`;
  }
  return `${bytes} B`;
}
