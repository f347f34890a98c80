import { describe, expect, it } from 'vitest';
import { parseRecurrence } from './recurrence-rule.ts';

describe('parseRecurrence', () => {
  it.each([
    ['none', null],
    ['daily', { freq: 'DAILY', interval: 1 }],
    ['weekly', { freq: 'WEEKLY', interval: 1 }],
    ['monthly', { freq: 'MONTHLY', interval: 1 }],
    ['RRULE:FREQ=SECONDLY;INTERVAL=2;COUNT=3', { freq: 'SECONDLY', interval: 2, count: 3 }],
    ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE', { freq: 'WEEKLY', interval: 1, byDay: ['MO', 'WE'] }],
    ['RRULE:FREQ=MONTHLY;BYMONTHDAY=31', { freq: 'MONTHLY', interval: 1, byMonthDay: 31 }],
    [
      'RRULE:FREQ=DAILY;UNTIL=20261231T235959Z',
      { freq: 'DAILY', interval: 1, until: '2026-12-31T23:59:59.000Z' },
    ],
  ])('parses %s', (text, rule) => {
    expect(parseRecurrence(text)).toEqual({ ok: true, rule });
  });

  it.each([
    ['yearly'],
    ['RRULE:'],
    ['RRULE:INTERVAL=2'],
    ['RRULE:FREQ=YEARLY'],
    ['RRULE:FREQ=DAILY;INTERVAL=0'],
    ['RRULE:FREQ=DAILY;INTERVAL=1.5'],
    ['RRULE:FREQ=DAILY;FREQ=WEEKLY'],
    ['RRULE:FREQ=DAILY;BYDAY=MO'],
    ['RRULE:FREQ=WEEKLY;BYDAY=XX'],
    ['RRULE:FREQ=DAILY;UNTIL=2026-12-31'],
    ['RRULE:FREQ=DAILY;BYHOUR=9'],
  ])('rejects %s with a message', (text) => {
    const parsed = parseRecurrence(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(5);
  });
});
