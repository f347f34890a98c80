/**
 * Wall-clock time in an IANA time zone, with nothing but Intl: the offset of a zone at an
 * instant, an instant's wall clock, and the instant of a wall clock (gaps and overlaps resolved
 * like RFC 5545 and Temporal's `compatible`: a time skipped by a spring-forward gap moves forward
 * by the gap, a time repeated by a fall-back overlap is the earlier of the two).
 */

/** A calendar date and clock time, as a person in some zone reads it. Months are 1-12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at the instant `ms` (Unix milliseconds). */
export function wallClockAt(ms: number, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
    millisecond: ((ms % 1000) + 1000) % 1000,
  };
}

function wallAsUtc(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/** The zone's offset from UTC at the instant `ms`, in milliseconds (Paris in winter: 3,600,000). */
export function offsetAt(ms: number, timeZone: string): number {
  return wallAsUtc(wallClockAt(ms, timeZone)) - ms;
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock in `timeZone` reads `wall`. Offsets are taken a day either
 * side (no zone changes its offset twice within two days), so both sides of a transition are seen.
 *
 * @example instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0, millisecond: 0 }, 'Europe/Paris')
 * // 2026-03-29T01:30:00.000Z: 02:30 does not exist that night, 03:30 CEST does
 */
export function instantOf(wall: WallClock, timeZone: string): number {
  const local = wallAsUtc(wall);
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = [local - before, local - after].filter(
    (t) => wallAsUtc(wallClockAt(t, timeZone)) === local,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read the wall clock with the offset before the transition, which lands after it.
  return local - before;
}

/** Days since 1970-01-01 of a calendar date (a day counter independent of any zone). */
export function epochDay(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The calendar date of an epoch day. */
export function dateOfEpochDay(n: number): { year: number; month: number; day: number } {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The days of the week in ISO order (Monday first), as RFC 5545 names them. */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** The day of the week of an epoch day: 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** The calendar date `days` after a date (no zone involved; the clock fields are kept). */
export function addDays<D extends { year: number; month: number; day: number }>(date: D, days: number): D {
  return { ...date, ...dateOfEpochDay(epochDay(date.year, date.month, date.day) + days) };
}
