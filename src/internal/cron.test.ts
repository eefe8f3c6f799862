import { describe, expect, it } from 'vitest';
import { cronProblem, isTimeZone } from './cron.ts';

describe('cronProblem', () => {
  it.each([
    '0 3 * * *', '*/15 * * * *', '0 9 * * mon-fri', '0 0 1 jan,jul *', '0 0 * * 7', '0 0 * * 0', '0-30/5 * * * *', '59 23 31 12 6',
    '0 0 * * SUN', '5,10,15 * * * *', '  0 3 * * *  ', '0\t3 * * *',
  ])('accepts %j', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each([
    ['0 3 * *', 'expected 5 fields (minute hour day-of-month month day-of-week), found 4'],
    ['0 3 * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), found 6'],
    ['60 * * * *', 'minute: 60 is outside 0-59'],
    ['* 24 * * *', 'hour: 24 is outside 0-23'],
    ['* * 0 * *', 'day of month: 0 is outside 1-31'],
    ['* * 32 * *', 'day of month: 32 is outside 1-31'],
    ['* * * 0 *', 'month: 0 is outside 1-12'],
    ['* * * 13 *', 'month: 13 is outside 1-12'],
    ['* * * * 8', 'day of week: 8 is outside 0-7'],
    ['0 1-25 * * *', 'hour: 25 is outside 0-23'],
    ['0,60 * * * *', 'minute: 60 is outside 0-59'],
    ['*/0 * * * *', 'minute: step "0" must be a positive number'],
    ['0 */x * * *', 'hour: step "x" must be a positive number'],
    ['x * * * *', 'minute: "x" is not a number allowed here'],
    ['MON * * * *', 'minute: "MON" is not a number allowed here'],
    ['0 3 * * jan', 'day of week: "jan" is not a number or a name allowed here'],
    ['*/5/2 3 * * *', 'minute: "*/5/2" has more than one step'],
    ['30-10 * * * *', 'minute: range 30-10 runs backwards'],
    ['* * * * funday', 'day of week: "funday" is not a number or a name allowed here'],
    ['1,,2 * * * *', 'minute: "" is not a value or a range'],
  ])('rejects %j: %s', (expression, problem) => {
    expect(cronProblem(expression)).toBe(problem);
  });
});

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+5'])('knows %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus', 'Europe/Atlantis', 'GMT+25', '+02:00', ''])('rejects %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});
