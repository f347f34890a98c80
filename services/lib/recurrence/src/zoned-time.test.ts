import { describe, expect, it } from 'vitest';
import { addDays, epochDay, instantOf, offsetAt, WEEKDAYS, weekdayOf } from './zoned-time.ts';

const wall = (year: number, month: number, day: number, hour: number, minute: number) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
  millisecond: 0,
});

describe('zoned time', () => {
  it('maps a wall time in a DST gap forward and an overlap to the earlier instant', () => {
    // Paris, 29 March 2026: 02:30 does not exist (02:00 → 03:00).
    expect(new Date(instantOf(wall(2026, 3, 29, 2, 30), 'Europe/Paris')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // Paris, 25 October 2026: 02:30 happens twice; the first is 00:30 UTC.
    expect(new Date(instantOf(wall(2026, 10, 25, 2, 30), 'Europe/Paris')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(offsetAt(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330 * 60_000);
  });

  it('names weekdays Monday first and adds days across month and year ends', () => {
    expect(WEEKDAYS[weekdayOf(epochDay(1970, 1, 1))]).toBe('TH');
    expect(WEEKDAYS[weekdayOf(epochDay(2026, 12, 7))]).toBe('MO');
    expect(WEEKDAYS[weekdayOf(epochDay(1900, 1, 1))]).toBe('MO');
    expect(addDays({ year: 2026, month: 12, day: 31, hour: 9 }, 1)).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      hour: 9,
    });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
  });
});
