import { parseRecurrence, type RecurrenceRule } from '@todo/events';
import { describe, expect, it } from 'vitest';
import { nextOccurrence } from './next-occurrence.ts';

function rule(text: string): RecurrenceRule {
  const parsed = parseRecurrence(text);
  if (!parsed.ok || !parsed.rule) throw new Error(`bad rule in test: ${text}`);
  return parsed.rule;
}

/** Walks a series from `start`, returning the next `n` occurrences as ISO strings (null = over). */
function series(text: string, timeZone: string, start: string, n: number): (string | null)[] {
  const r = rule(text);
  const out: (string | null)[] = [];
  let previous = start;
  let previousIndex = 1;
  for (let i = 0; i < n; i++) {
    const next = nextOccurrence(r, { start, timeZone, previous, previousIndex });
    out.push(next ? next.at.toISOString() : null);
    if (!next) break;
    previous = next.at.toISOString();
    previousIndex = next.index;
  }
  return out;
}

describe('nextOccurrence across DST: the wall-clock time of day is kept', () => {
  it.each([
    // zone, rule, first occurrence (UTC), the next ones (UTC), what it shows
    [
      'Europe/Paris',
      'daily',
      '2026-03-28T08:00:00.000Z',
      ['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'],
      '09:00 CET, then 09:00 CEST',
    ],
    [
      'Europe/Paris',
      'daily',
      '2026-10-24T07:00:00.000Z',
      ['2026-10-25T08:00:00.000Z'],
      '09:00 CEST, then 09:00 CET',
    ],
    [
      'Europe/Paris',
      'daily',
      '2026-03-28T01:30:00.000Z',
      ['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
      '02:30 falls in the gap: 03:30 CEST that night, 02:30 again after',
    ],
    [
      'Europe/Paris',
      'daily',
      '2026-10-24T00:30:00.000Z',
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
      '02:30 happens twice: the first one',
    ],
    [
      'America/New_York',
      'weekly',
      '2026-03-02T14:00:00.000Z',
      ['2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z'],
      'Monday 09:00 EST, then EDT',
    ],
    [
      'America/New_York',
      'daily',
      '2026-10-31T13:00:00.000Z',
      ['2026-11-01T14:00:00.000Z'],
      '09:00 EDT, then EST',
    ],
    [
      'America/New_York',
      'daily',
      '2026-03-07T07:30:00.000Z',
      ['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z'],
      '02:30 in the gap becomes 03:30 EDT',
    ],
    [
      'Australia/Sydney',
      'daily',
      '2026-04-03T22:00:00.000Z',
      ['2026-04-04T23:00:00.000Z'],
      '09:00 AEDT, then AEST (southern autumn)',
    ],
    [
      'Australia/Sydney',
      'daily',
      '2026-10-02T23:00:00.000Z',
      ['2026-10-03T22:00:00.000Z'],
      '09:00 AEST, then AEDT (southern spring)',
    ],
    [
      'Australia/Sydney',
      'monthly',
      '2026-03-15T22:00:00.000Z',
      ['2026-04-15T23:00:00.000Z', '2026-05-15T23:00:00.000Z'],
      '16th 09:00 across the April change',
    ],
    [
      'Asia/Kolkata',
      'daily',
      '2026-03-28T03:30:00.000Z',
      ['2026-03-29T03:30:00.000Z', '2026-03-30T03:30:00.000Z'],
      'no DST: 24 h apart',
    ],
    [
      'Asia/Kolkata',
      'RRULE:FREQ=WEEKLY;BYDAY=MO,FR',
      '2026-10-23T03:30:00.000Z',
      ['2026-10-26T03:30:00.000Z', '2026-10-30T03:30:00.000Z'],
      'Friday, Monday, Friday at 09:00 IST',
    ],
  ])('%s %s from %s', (zone, text, start, expected, _what) => {
    expect(series(text, zone, start, expected.length)).toEqual(expected);
  });
});

describe('nextOccurrence: fixed-duration frequencies', () => {
  it('keeps HOURLY 60 minutes apart across the spring-forward gap (not the same wall clock)', () => {
    expect(series('RRULE:FREQ=HOURLY', 'Europe/Paris', '2026-03-29T00:30:00.000Z', 2)).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T02:30:00.000Z',
    ]);
  });

  it('steps SECONDLY by INTERVAL seconds and stops after COUNT occurrences (the first counts)', () => {
    expect(series('RRULE:FREQ=SECONDLY;INTERVAL=2;COUNT=3', 'UTC', '2026-01-01T00:00:00.000Z', 5)).toEqual([
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:04.000Z',
      null,
    ]);
  });

  it('stops at UNTIL (an occurrence exactly at UNTIL still happens)', () => {
    expect(
      series('RRULE:FREQ=MINUTELY;UNTIL=20260101T000200Z', 'UTC', '2026-01-01T00:00:00.000Z', 5),
    ).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', null]);
  });
});

describe('nextOccurrence: BYDAY, BYMONTHDAY and INTERVAL', () => {
  it('walks BYDAY=MO,TH every second week, counting weeks from the start (weeks begin on Monday)', () => {
    // 2026-01-05 is a Monday.
    expect(
      series('RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 'Europe/Paris', '2026-01-05T08:00:00.000Z', 3),
    ).toEqual(['2026-01-08T08:00:00.000Z', '2026-01-19T08:00:00.000Z', '2026-01-22T08:00:00.000Z']);
  });

  it('clamps a day the month lacks to its last day (31st: Feb 28, then Mar 31 again)', () => {
    expect(series('monthly', 'America/New_York', '2026-01-31T14:00:00.000Z', 3)).toEqual([
      '2026-02-28T14:00:00.000Z',
      '2026-03-31T13:00:00.000Z',
      '2026-04-30T13:00:00.000Z',
    ]);
  });

  it('reaches BYMONTHDAY in the start month when the start is before it', () => {
    expect(series('RRULE:FREQ=MONTHLY;BYMONTHDAY=15', 'Europe/Paris', '2026-01-05T08:00:00.000Z', 2)).toEqual(
      ['2026-01-15T08:00:00.000Z', '2026-02-15T08:00:00.000Z'],
    );
  });

  it('honours INTERVAL for DAILY and MONTHLY', () => {
    expect(series('RRULE:FREQ=DAILY;INTERVAL=3', 'UTC', '2026-01-30T09:00:00.000Z', 1)).toEqual([
      '2026-02-02T09:00:00.000Z',
    ]);
    expect(series('RRULE:FREQ=MONTHLY;INTERVAL=2', 'UTC', '2026-01-31T09:00:00.000Z', 2)).toEqual([
      '2026-03-31T09:00:00.000Z',
      '2026-05-31T09:00:00.000Z',
    ]);
  });
});

describe('nextOccurrence: late reminders', () => {
  /** A series started 2026-01-01 09:00 UTC whose first occurrence fired, asked again on 2026-01-10 at noon. */
  const afterTheFirstOnJan10 = (text: string) =>
    nextOccurrence(rule(text), {
      start: '2026-01-01T09:00:00.000Z',
      timeZone: 'UTC',
      previous: '2026-01-01T09:00:00.000Z',
      previousIndex: 1,
      notBefore: new Date('2026-01-10T12:00:00.000Z'),
    });

  it('skips occurrences before notBefore and counts them', () => {
    expect(afterTheFirstOnJan10('daily')).toEqual({ at: new Date('2026-01-11T09:00:00.000Z'), index: 11 });
  });

  it('ends the series when the skipped occurrences use up COUNT', () => {
    expect(afterTheFirstOnJan10('RRULE:FREQ=DAILY;COUNT=5')).toBeNull();
  });
});

describe('nextOccurrence: a series far behind jumps, and counts exactly', () => {
  /** The same question answered one occurrence at a time (no jump): the reference. */
  function stepping(rule: RecurrenceRule, start: string, zone: string, notBefore: Date) {
    let prev = { at: new Date(start), index: 1 };
    for (;;) {
      const next = nextOccurrence(rule, {
        start,
        timeZone: zone,
        previous: prev.at,
        previousIndex: prev.index,
      });
      if (!next || next.at.getTime() >= notBefore.getTime()) return next;
      prev = next;
    }
  }
  const rules = [
    'RRULE:FREQ=DAILY',
    'RRULE:FREQ=DAILY;INTERVAL=3',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR',
    'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU',
    'RRULE:FREQ=MONTHLY;BYMONTHDAY=31',
    'RRULE:FREQ=MONTHLY;INTERVAL=5',
    'RRULE:FREQ=HOURLY;INTERVAL=7',
    'RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=40',
    'RRULE:FREQ=DAILY;UNTIL=20270101T000000Z',
  ];
  it.each(rules)('%s: the jump lands where stepping does, with the same index', (text) => {
    const parsed = parseRecurrence(text);
    if (!parsed.ok || !parsed.rule) throw new Error(text);
    for (const [start, zone, notBefore] of [
      ['2024-01-31T08:30:00.000Z', 'Europe/Paris', '2026-03-29T10:00:00Z'],
      ['2025-10-26T00:30:00.000Z', 'America/New_York', '2026-11-01T06:00:00Z'],
      ['2025-06-15T23:45:00.000Z', 'Asia/Kolkata', '2026-02-28T12:00:00Z'],
    ] as const) {
      const second = nextOccurrence(parsed.rule, {
        start,
        timeZone: zone,
        previous: start,
        previousIndex: 1,
      });
      if (!second) continue;
      const input = {
        start,
        timeZone: zone,
        previous: second.at,
        previousIndex: second.index,
        notBefore: new Date(notBefore),
      };
      expect(nextOccurrence(parsed.rule, input), `${text} from ${start} in ${zone}`).toEqual(
        stepping(parsed.rule, start, zone, new Date(notBefore)),
      );
    }
  });

  it('finds the next daily occurrence of a series started in 1900 in a few steps', () => {
    const rule = { freq: 'DAILY', interval: 1 } as RecurrenceRule;
    const start = '1900-01-01T08:00:00.000Z';
    const second = nextOccurrence(rule, {
      start,
      timeZone: 'Europe/Paris',
      previous: start,
      previousIndex: 1,
    });
    const next = nextOccurrence(rule, {
      start,
      timeZone: 'Europe/Paris',
      previous: second?.at ?? start,
      previousIndex: 2,
      notBefore: new Date('2026-12-01T12:00:00Z'),
    });
    // 08:00 UTC in 1900 is 08:09 Paris mean time: 08:09 every day, so after noon UTC on 1 December
    // the next is on 2 December, occurrence number (days from 1900-01-01) + 1.
    expect(next?.at.toISOString().slice(0, 10)).toBe('2026-12-02');
    expect(next?.index).toBe((Date.UTC(2026, 11, 2) - Date.UTC(1900, 0, 1)) / 86_400_000 + 1);
  });
});
