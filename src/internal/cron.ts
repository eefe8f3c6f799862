const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

/** Checks a 5-field cron expression; returns a problem description or undefined when valid. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields, found ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    for (const item of part.split(',')) {
      const [range, step] = item.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `${field.name}: step "${step}" must be a positive number`;
      if (range === '*') continue;
      for (const bound of range!.split('-')) {
        const n = /^\d+$/.test(bound) ? Number(bound) : NAMES[bound.toLowerCase()];
        if (n === undefined) return `${field.name}: "${bound}" is not a number`;
        if (n < field.min || n > field.max) return `${field.name}: ${n} is outside ${field.min}-${field.max}`;
      }
    }
  }
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
