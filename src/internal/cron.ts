const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names accepted in this field only (month names in month, day names in day of week). */
  names?: Record<string, number>;
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { name: 'day of week', min: 0, max: 7, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];

/** Checks a 5-field cron expression; returns a problem description or undefined when valid. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name}: ${problem}`;
    }
  }
  return undefined;
}

function itemProblem(item: string, field: CronField): string | undefined {
  const pieces = item.split('/');
  if (pieces.length > 2) return `"${item}" has more than one step`;
  const [range = '', step] = pieces;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step "${step}" must be a positive number`;
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2 || bounds.some((b) => b === '')) return `"${range}" is not a value or a range`;
  const values: number[] = [];
  for (const bound of bounds) {
    const n = /^\d+$/.test(bound) ? Number(bound) : field.names?.[bound.toLowerCase()];
    if (n === undefined) return `"${bound}" is not a number${field.names ? ' or a name' : ''} allowed here`;
    if (n < field.min || n > field.max) return `${n} is outside ${field.min}-${field.max}`;
    values.push(n);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range ${range} runs backwards`;
  return undefined;
}

/** Whether `zone` is an IANA time zone this Node.js knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
