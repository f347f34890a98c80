import { parseRecurrence, type RecurrenceRule, type Weekday } from '@todo/events';
import {
  dateOfEpochDay,
  daysInMonth,
  epochDay,
  instantOf,
  type WallClock,
  WEEKDAYS,
  wallClockAt,
  weekdayOf,
} from './zoned-time.ts';

/** Where a series stands: its first occurrence, its zone, and the occurrence that just fired. */
export interface OccurrenceInput {
  /**
   * The first occurrence (DTSTART: the task's `remind_at`). It is always occurrence 1, even when
   * it matches no BYDAY or BYMONTHDAY, and every later DAILY, WEEKLY or MONTHLY occurrence keeps
   * its wall-clock time of day in `timeZone`.
   */
  start: Date | string;
  /** The task's IANA time zone (`Europe/Paris`). */
  timeZone: string;
  /** The occurrence that just fired (or was due). */
  previous: Date | string;
  /** Its number in the series: 1 for `start`. */
  previousIndex: number;
  /**
   * Occurrences before this instant are skipped (and counted against COUNT), so a reminder that
   * fires days late gives one notification, not one per missed occurrence. Default: none skipped.
   */
  notBefore?: Date;
}

/** The next occurrence and its number in the series (COUNT counts from 1 = `start`). */
export interface Occurrence {
  at: Date;
  index: number;
}

const FIXED_MS = { SECONDLY: 1_000, MINUTELY: 60_000, HOURLY: 3_600_000 } as const;

function toMs(t: Date | string): number {
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(t)}`);
  return ms;
}

function at(dayNumber: number, time: WallClock, timeZone: string): number {
  return instantOf({ ...dateOfEpochDay(dayNumber), ...pickTime(time) }, timeZone);
}

function pickTime(w: WallClock) {
  return { hour: w.hour, minute: w.minute, second: w.second, millisecond: w.millisecond };
}

/** The first occurrence strictly after `prevMs`, ignoring COUNT and UNTIL. */
function following(rule: RecurrenceRule, startMs: number, prevMs: number, timeZone: string): number {
  const { freq, interval } = rule;
  if (freq === 'SECONDLY' || freq === 'MINUTELY' || freq === 'HOURLY') {
    // Fixed durations: an hourly reminder stays 60 minutes apart across a DST change.
    return prevMs + interval * FIXED_MS[freq];
  }
  const start = wallClockAt(startMs, timeZone);
  const prev = wallClockAt(prevMs, timeZone);
  const prevDay = epochDay(prev.year, prev.month, prev.day);
  if (freq === 'DAILY') return at(prevDay + interval, start, timeZone);
  if (freq === 'WEEKLY') {
    if (!rule.byDay || rule.byDay.length === 0) return at(prevDay + 7 * interval, start, timeZone);
    const startDay = epochDay(start.year, start.month, start.day);
    const startMonday = startDay - weekdayOf(startDay);
    for (let d = prevDay; d <= prevDay + 7 * interval + 7; d++) {
      const week = Math.floor((d - startMonday) / 7);
      const weekday = WEEKDAYS[weekdayOf(d)] as Weekday;
      if (week % interval !== 0 || !rule.byDay.includes(weekday)) continue;
      const t = at(d, start, timeZone);
      if (t > prevMs) return t;
    }
    throw new Error('unreachable: a weekly rule with BYDAY matches within its interval');
  }
  // MONTHLY: the same day of the month (or BYMONTHDAY) every `interval` months, counted from the
  // start's month. A day the month lacks (31 in April) is clamped to its last day: "monthly on
  // the 31st" then reminds on the last day of every month, where RFC 5545 would skip the month.
  const day = rule.byMonthDay ?? start.day;
  const startMonth = start.year * 12 + (start.month - 1);
  const prevMonth = prev.year * 12 + (prev.month - 1);
  for (let m = prevMonth; m <= prevMonth + interval; m++) {
    if ((m - startMonth) % interval !== 0) continue;
    const year = Math.floor(m / 12);
    const month = (m % 12) + 1;
    const t = instantOf(
      { year, month, day: Math.min(day, daysInMonth(year, month)), ...pickTime(start) },
      timeZone,
    );
    if (t > prevMs) return t;
  }
  throw new Error('unreachable: a monthly rule matches within its interval');
}

/**
 * The occurrence after `previous` of a rule parsed by `parseRecurrence` (@todo/events), or null
 * when the series is over (COUNT reached, or past UNTIL). DAILY, WEEKLY and MONTHLY keep the
 * wall-clock time of `start` in the task's zone across DST changes (09:00 stays 09:00; a time the
 * spring-forward gap skips moves forward by the gap, a repeated one takes its first instance);
 * SECONDLY, MINUTELY and HOURLY are fixed durations.
 *
 * @example
 * nextOccurrence({ freq: 'DAILY', interval: 1 }, {
 *   start: '2026-03-28T08:00:00Z', timeZone: 'Europe/Paris',
 *   previous: '2026-03-28T08:00:00Z', previousIndex: 1,
 * }) // { at: 2026-03-29T07:00:00.000Z (09:00 CEST), index: 2 }
 */
export function nextOccurrence(rule: RecurrenceRule, input: OccurrenceInput): Occurrence | null {
  const startMs = toMs(input.start);
  const until = rule.until ? Date.parse(rule.until) : Number.POSITIVE_INFINITY;
  const notBefore = input.notBefore?.getTime() ?? Number.NEGATIVE_INFINITY;
  let prevMs = toMs(input.previous);
  let index = input.previousIndex;
  let jumped = false;
  // A series far behind `notBefore` (a start years ago) jumps whole cycles at once, so the cost
  // does not grow with the number of missed occurrences; then at most a few steps remain.
  for (let step = 0; step < 1_000; step++) {
    if (!jumped && notBefore > prevMs && prevMs !== startMs) {
      jumped = true;
      const skip = skipCycles(rule, startMs, prevMs, notBefore, input.timeZone);
      if (skip) {
        prevMs = skip.prevMs;
        index += skip.occurrences;
      }
    }
    index += 1;
    if (rule.count !== undefined && index > rule.count) return null;
    const next = following(rule, startMs, prevMs, input.timeZone);
    if (next > until) return null;
    if (next >= notBefore) return { at: new Date(next), index };
    prevMs = next;
  }
  throw new Error('unreachable: a series catches up with notBefore within a few steps of a jump');
}

/**
 * Moves a regular occurrence (`prevMs`, not the start) forward by whole cycles of the rule, to
 * the last cycle that still ends before `notBefore`: the landing point is an occurrence of the
 * same phase, and exactly `occurrences` lie in between (each cycle holds the same number), so
 * COUNT stays exact. Undefined when there is less than two cycles to skip.
 */
function skipCycles(
  rule: RecurrenceRule,
  startMs: number,
  prevMs: number,
  notBefore: number,
  timeZone: string,
): { prevMs: number; occurrences: number } | undefined {
  const { freq, interval } = rule;
  if (freq === 'SECONDLY' || freq === 'MINUTELY' || freq === 'HOURLY') {
    const cycle = interval * FIXED_MS[freq];
    const k = Math.floor((notBefore - prevMs) / cycle) - 1;
    return k > 0 ? { prevMs: prevMs + k * cycle, occurrences: k } : undefined;
  }
  const start = wallClockAt(startMs, timeZone);
  const prev = wallClockAt(prevMs, timeZone);
  const target = wallClockAt(notBefore, timeZone);
  if (freq === 'MONTHLY') {
    const prevMonth = prev.year * 12 + (prev.month - 1);
    const k = Math.floor((target.year * 12 + (target.month - 1) - prevMonth) / interval) - 1;
    if (k <= 0) return undefined;
    const m = prevMonth + k * interval;
    const year = Math.floor(m / 12);
    const month = (m % 12) + 1;
    const day = Math.min(rule.byMonthDay ?? start.day, daysInMonth(year, month));
    return { prevMs: instantOf({ year, month, day, ...pickTime(start) }, timeZone), occurrences: k };
  }
  // DAILY and WEEKLY: a cycle is `interval` days or weeks; a WEEKLY cycle holds one occurrence
  // per BYDAY day (or one, without BYDAY).
  const cycleDays = freq === 'DAILY' ? interval : 7 * interval;
  const perCycle = freq === 'WEEKLY' && rule.byDay && rule.byDay.length > 0 ? rule.byDay.length : 1;
  const prevDay = epochDay(prev.year, prev.month, prev.day);
  const k = Math.floor((epochDay(target.year, target.month, target.day) - prevDay) / cycleDays) - 1;
  return k > 0
    ? { prevMs: at(prevDay + k * cycleDays, start, timeZone), occurrences: k * perCycle }
    : undefined;
}

/**
 * The first occurrence of a series at or after `notBefore`, counting from `start` (occurrence
 * 1): where a series created or moved with a start in the past really begins, and which
 * occurrence a repair should expect. Null when the series ends before.
 *
 * @example firstOccurrenceFrom(rule, { start: task.remind_at, timeZone: task.timezone, notBefore: now })
 */
export function firstOccurrenceFrom(
  rule: RecurrenceRule,
  input: { start: Date | string; timeZone: string; notBefore: Date },
): Occurrence | null {
  const startMs = toMs(input.start);
  if (startMs >= input.notBefore.getTime()) return { at: new Date(startMs), index: 1 };
  return nextOccurrence(rule, { ...input, previous: input.start, previousIndex: 1 });
}

/** A recurring reminder that fires (or starts) later than this skips the occurrences it missed. */
export const CATCH_UP_MS = 60_000;

/** What a series is made of, as a task holds it. */
export interface SeriesOf {
  remind_at: string | null;
  /** `none`, or a rule `parseRecurrence` (@todo/events) reads; anything else counts as none. */
  recurrence: string;
  timezone: string;
}

/**
 * Where a task's reminder series starts: a one-shot reminder at its `remind_at` (even in the
 * past: it is due at once); a recurring one at its first occurrence no more than CATCH_UP_MS
 * ago, found in constant time however far back its start is. Null when there is no reminder or
 * the series is already over. task-reminder arms it; chat-api expects it (the reminder sweep).
 */
export function seriesStart(task: SeriesOf, now: Date): { at: string; index: number } | null {
  if (!task.remind_at) return null;
  const parsed = parseRecurrence(task.recurrence);
  if (!parsed.ok || !parsed.rule) return { at: new Date(task.remind_at).toISOString(), index: 1 };
  const first = firstOccurrenceFrom(parsed.rule, {
    start: task.remind_at,
    timeZone: task.timezone,
    notBefore: new Date(now.getTime() - CATCH_UP_MS),
  });
  return first ? { at: first.at.toISOString(), index: first.index } : null;
}
