/**
 * Wall-clock time in the user's IANA zone for the chat parser: a thin view over
 * @todo/recurrence's zone functions (Intl only, DST-safe: a wall time in a spring-forward gap
 * moves forward by the gap, one repeated at fall-back is the earlier instant).
 */
import { instantOf, offsetAt, wallClockAt } from '@todo/recurrence';

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const DAY_MS = 86_400_000;

/** The wall clock of an instant in a zone, and its weekday (0 = Sunday). */
export function wallClock(instant: Date, zone: string): WallTime & { weekday: number } {
  const w = wallClockAt(instant.getTime(), zone);
  // 1970-01-01 was a Thursday (4).
  const weekday = (((Math.floor(Date.UTC(w.year, w.month - 1, w.day) / DAY_MS) + 4) % 7) + 7) % 7;
  return {
    year: w.year,
    month: w.month,
    day: w.day,
    hour: w.hour,
    minute: w.minute,
    second: w.second,
    weekday,
  };
}

/** The zone's offset from UTC at an instant, in minutes (Paris in winter: 60). */
export function offsetMinutes(instant: Date, zone: string): number {
  return Math.round(offsetAt(instant.getTime(), zone) / 60_000);
}

/** The instant a wall time names in a zone. */
export function zonedToInstant(w: WallTime, zone: string): Date {
  return new Date(instantOf({ ...w, second: w.second ?? 0, millisecond: 0 }, zone));
}

/** Adds days to a calendar date (no zone involved). */
export function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
