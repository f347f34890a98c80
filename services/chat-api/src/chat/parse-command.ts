import { addDays, epochDay, instantOf, offsetAt, WEEKDAYS, wallClockAt, weekdayOf } from '@todo/recurrence';
import * as chrono from 'chrono-node';

/**
 * English chat commands, parsed deterministically (no model): the same message, time and zone
 * always give the same command. Dates are read in the user's time zone.
 */

/** A task named by its position in the chat's list ("2", "#2", "the second") or by title words. */
export type TaskRef = { position: number } | { text: string };

export type ListPeriod = 'all' | 'today' | 'tomorrow' | 'this-week' | 'overdue' | 'completed';

export type Command =
  | {
      kind: 'add';
      title: string;
      due_at: string | null;
      remind_at: string | null;
      recurrence: string;
    }
  | { kind: 'list'; period: ListPeriod; due_after?: string; due_before?: string }
  | { kind: 'complete'; ref: TaskRef }
  | { kind: 'delete'; ref: TaskRef }
  | { kind: 'rename'; ref: TaskRef; title: string }
  | { kind: 'reschedule'; ref: TaskRef; due_at: string }
  | { kind: 'snooze'; ref: TaskRef; minutes?: number; until?: string }
  | { kind: 'help'; reason: string };

export interface ParseContext {
  now: Date;
  timezone: string;
}

const DEFAULT_HOUR = 9;
const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];
const DAY_CODES: Record<string, string> = {
  monday: 'MO',
  tuesday: 'TU',
  wednesday: 'WE',
  thursday: 'TH',
  friday: 'FR',
  saturday: 'SA',
  sunday: 'SU',
};

/** A wall time in the user's zone, as the parser builds it (seconds default to 0). */
interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}
const zonedToInstant = (w: WallTime, zone: string): Date =>
  new Date(instantOf({ ...w, second: w.second ?? 0, millisecond: 0 }, zone));
const wallClock = (instant: Date, zone: string) => {
  const w = wallClockAt(instant.getTime(), zone);
  return { ...w, weekday: weekdayOf(epochDay(w.year, w.month, w.day)) };
};

function clean(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?]+$/, '')
    .trim();
}

function stripQuotes(text: string): string {
  return text.replace(/^["'“”]+|["'“”]+$/g, '').trim();
}

export function parseRef(text: string): TaskRef {
  const t = stripQuotes(
    clean(text)
      .replace(/^(the|task|my)\s+/i, '')
      .replace(/\s+(task|one)$/i, ''),
  );
  const n = /^#?(\d{1,3})$/.exec(t);
  if (n) return { position: Number(n[1]) };
  const o = ORDINALS.indexOf(t.toLowerCase());
  if (o >= 0) return { position: o + 1 };
  return { text: t };
}

/** A date phrase found by chrono, turned into an instant in the user's zone (DST-safe). */
interface FoundDate {
  instant: Date;
  index: number;
  text: string;
  hasTime: boolean;
}

function findDate(text: string, ctx: ParseContext): FoundDate | undefined {
  // chrono reads wall-clock components at a fixed offset: give it the user's current offset,
  // then rebuild the instant from those components in the real zone, so a date across a DST
  // change still means the wall time the user said.
  const ref = { instant: ctx.now, timezone: Math.round(offsetAt(ctx.now.getTime(), ctx.timezone) / 60_000) };
  const results = chrono.parse(text, ref, { forwardDate: true });
  const r = results[0];
  if (!r) return undefined;
  const s = r.start;
  const hasTime = s.isCertain('hour');
  const relative = /\bin\s+\d+\s*(sec|second|min|minute|hour|hr)s?\b/i.test(r.text);
  if (relative) return { instant: s.date(), index: r.index, text: r.text, hasTime: true };
  const wall: WallTime = {
    year: s.get('year') ?? 1970,
    month: s.get('month') ?? 1,
    day: s.get('day') ?? 1,
    hour: hasTime ? (s.get('hour') ?? DEFAULT_HOUR) : DEFAULT_HOUR,
    minute: hasTime ? (s.get('minute') ?? 0) : 0,
  };
  return { instant: zonedToInstant(wall, ctx.timezone), index: r.index, text: r.text, hasTime };
}

function withoutPhrase(text: string, found: FoundDate): string {
  const before = text.slice(0, found.index);
  const after = text.slice(found.index + found.text.length);
  return clean(`${before} ${after}`)
    .replace(/\s+(on|at|by|due|for|before)$/i, '')
    .replace(/^(on|at|by|due)\s+/i, '')
    .replace(/[,;]+$/, '')
    .trim();
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
};
function unitMs(unit: string): number | undefined {
  return UNIT_MS[unit.toLowerCase().replace(/s$/, '')];
}

/** "remind me 1 hour before" / "remind me at 8am" / "remind me 30 minutes earlier" */
function splitReminderClause(text: string): { rest: string; before?: number; at?: string } {
  const before =
    /[,;]?\s*(?:and\s+)?remind me\s+(\d+)\s*(minutes?|mins?|hours?|hrs?|days?|weeks?|m|h|d)\s+(?:before|earlier|ahead)\s*$/i.exec(
      text,
    );
  if (before) {
    const ms = unitMs(before[2] ?? '');
    if (ms) return { rest: text.slice(0, before.index).trim(), before: Number(before[1]) * ms };
  }
  const at = /[,;]?\s*(?:and\s+)?remind me\s+((?:at|on)\s+.+)$/i.exec(text);
  if (at) return { rest: text.slice(0, at.index).trim(), at: at[1] ?? '' };
  return { rest: text };
}

function parseAdd(body: string, ctx: ParseContext, remindByDefault: boolean): Command {
  const { rest, before, at } = splitReminderClause(body);
  const found = findDate(rest, ctx);
  // "… at 25:99": a time was meant but is not one; saying so beats a task titled with it.
  const unreadTime = found ? null : /\bat\s+(\d[\d:.]*(?:\s*[ap]\.?m\.?)?)\s*$/i.exec(rest);
  if (unreadTime) return { kind: 'help', reason: `"${unreadTime[1]}" is not a time I can read` };
  const title = stripQuotes(found ? withoutPhrase(rest, found) : rest);
  if (!title) return { kind: 'help', reason: 'what should the task be called?' };
  const due = found?.instant ?? null;
  let remind: Date | null = null;
  if (before !== undefined && due) remind = new Date(due.getTime() - before);
  else if (at) {
    remind = findDate(at, ctx)?.instant ?? null;
    if (!remind) return { kind: 'help', reason: `"${at}" is not a time I can read` };
  } else if (remindByDefault && due) remind = due;
  return {
    kind: 'add',
    title,
    due_at: due?.toISOString() ?? null,
    remind_at: remind?.toISOString() ?? null,
    recurrence: 'none',
  };
}

/** "every monday at 9 remind me to water the plants", "remind me to stretch every 2 hours" */
function parseRecurring(every: string, title: string, ctx: ParseContext): Command {
  const e = clean(every).toLowerCase();
  const interval = /^(\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?)$/.exec(e);
  if (interval) {
    const n = Number(interval[1]);
    const unit = interval[2] ?? '';
    const freq = unit.startsWith('s') ? 'SECONDLY' : unit.startsWith('m') ? 'MINUTELY' : 'HOURLY';
    const step = n * (freq === 'SECONDLY' ? 1000 : freq === 'MINUTELY' ? 60_000 : 3_600_000);
    return {
      kind: 'add',
      title,
      due_at: null,
      remind_at: new Date(ctx.now.getTime() + step).toISOString(),
      recurrence: `RRULE:FREQ=${freq};INTERVAL=${n}`,
    };
  }
  const m =
    /^(day|days|weekday|weekdays|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?(?:\s+(?:at\s+)?(.+))?$/.exec(
      e,
    );
  if (!m)
    return {
      kind: 'help',
      reason: `I can repeat every day, weekday, week, month, a weekday name, or every N minutes; not "every ${every}"`,
    };
  const what = m[1] ?? '';
  let hour = DEFAULT_HOUR;
  let minute = 0;
  if (m[2]) {
    const t = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/.exec(m[2].trim());
    if (!t) return { kind: 'help', reason: `I could not read the time "${m[2]}"` };
    hour = Number(t[1]);
    minute = Number(t[2] ?? 0);
    if ((t[3] && (hour < 1 || hour > 12)) || hour > 23 || minute > 59) {
      return { kind: 'help', reason: `"${m[2]}" is not a time of day` };
    }
    if (t[3] === 'pm' && hour < 12) hour += 12;
    if (t[3] === 'am' && hour === 12) hour = 0;
  }
  let recurrence: string;
  let days: string[] | undefined;
  if (what.startsWith('day')) recurrence = 'daily';
  else if (what.startsWith('weekday')) {
    recurrence = 'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
    days = ['MO', 'TU', 'WE', 'TH', 'FR'];
  } else if (what === 'week') recurrence = 'weekly';
  else if (what === 'month') recurrence = 'monthly';
  else {
    const code = DAY_CODES[what] ?? 'MO';
    recurrence = `RRULE:FREQ=WEEKLY;BYDAY=${code}`;
    days = [code];
  }
  // The first occurrence: the next matching day at that wall time, after now.
  const today = wallClock(ctx.now, ctx.timezone);
  let first: Date | undefined;
  for (let i = 0; i < 8 && !first; i++) {
    const day = addDays({ ...today, hour, minute, second: 0 }, i);
    const weekday = WEEKDAYS[(today.weekday + i) % 7] ?? 'MO';
    if (days && !days.includes(weekday)) continue;
    const at = zonedToInstant(day, ctx.timezone);
    if (at.getTime() > ctx.now.getTime()) first = at;
  }
  if (!first) return { kind: 'help', reason: 'I could not find the first occurrence' };
  return { kind: 'add', title, due_at: first.toISOString(), remind_at: first.toISOString(), recurrence };
}

function parseList(text: string, ctx: ParseContext): Command {
  const t = text.toLowerCase();
  const today = wallClock(ctx.now, ctx.timezone);
  const startOf = (w: WallTime) =>
    zonedToInstant({ ...w, hour: 0, minute: 0, second: 0 }, ctx.timezone).toISOString();
  if (/\b(done|completed|finished)\b/.test(t)) return { kind: 'list', period: 'completed' };
  if (/\boverdue\b|\blate\b/.test(t))
    return { kind: 'list', period: 'overdue', due_before: ctx.now.toISOString() };
  if (/\btoday\b|\btonight\b/.test(t)) {
    return {
      kind: 'list',
      period: 'today',
      due_after: startOf(today),
      due_before: startOf(addDays(today, 1)),
    };
  }
  if (/\btomorrow\b/.test(t)) {
    return {
      kind: 'list',
      period: 'tomorrow',
      due_after: startOf(addDays(today, 1)),
      due_before: startOf(addDays(today, 2)),
    };
  }
  if (/\b(this|the) week\b|\bweek\b/.test(t)) {
    // Monday-based week: from the start of today to the start of next Monday.
    const toMonday = 7 - today.weekday;
    return {
      kind: 'list',
      period: 'this-week',
      due_after: startOf(today),
      due_before: startOf(addDays(today, toMonday)),
    };
  }
  return { kind: 'list', period: 'all' };
}

/** Parses one chat message. Never throws: what it cannot read becomes `help` with a reason. */
export function parseCommand(message: string, ctx: ParseContext): Command {
  const text = clean(message);
  let m: RegExpExecArray | null;

  // Recurring: "every monday at 9 remind me to water the plants" / "remind me to X every day at 8"
  m = /^every\s+(.+?)\s*,?\s+(?:remind me to|remind me|to)\s+(.+)$/i.exec(text);
  if (m) return parseRecurring(m[1] ?? '', stripQuotes(m[2] ?? ''), ctx);
  m = /^(?:remind me to|add|create)\s+(.+?)\s+every\s+(.+)$/i.exec(text);
  if (m) return parseRecurring(m[2] ?? '', stripQuotes(m[1] ?? ''), ctx);

  m = /^(?:add|create|new task|new|todo)\s*:?\s+(.+)$/i.exec(text);
  if (m) return parseAdd(m[1] ?? '', ctx, false);
  m = /^remind me (?:to\s+)?(.+)$/i.exec(text);
  if (m) return parseAdd(m[1] ?? '', ctx, true);

  m = /^rename\s+(.+?)\s+(?:to|as)\s+(.+)$/i.exec(text);
  if (m) {
    const title = stripQuotes(m[2] ?? '');
    return title
      ? { kind: 'rename', ref: parseRef(m[1] ?? ''), title }
      : { kind: 'help', reason: 'rename it to what?' };
  }

  m = /^(?:reschedule|move|postpone|push)\s+(.+?)\s+(?:to|until|till)\s+(.+)$/i.exec(text);
  if (m) {
    const found = findDate(m[2] ?? '', ctx);
    if (!found) return { kind: 'help', reason: `I could not read "${m[2]}" as a date` };
    return { kind: 'reschedule', ref: parseRef(m[1] ?? ''), due_at: found.instant.toISOString() };
  }

  m = /^snooze\s+(.+?)\s+(?:for\s+)?(\d+)\s*(seconds?|secs?|minutes?|mins?|m|hours?|hrs?|h)$/i.exec(text);
  if (m) {
    const ms = unitMs(m[3] ?? '') ?? 60_000;
    const minutes = Math.max(1, Math.round((Number(m[2]) * ms) / 60_000));
    return { kind: 'snooze', ref: parseRef(m[1] ?? ''), minutes };
  }
  m = /^snooze\s+(.+?)\s+(?:until|till|to)\s+(.+)$/i.exec(text);
  if (m) {
    const found = findDate(m[2] ?? '', ctx);
    if (!found) return { kind: 'help', reason: `I could not read "${m[2]}" as a time` };
    return { kind: 'snooze', ref: parseRef(m[1] ?? ''), until: found.instant.toISOString() };
  }
  m = /^snooze\s+(.+)$/i.exec(text);
  if (m) return { kind: 'snooze', ref: parseRef(m[1] ?? ''), minutes: 10 };

  m =
    /^(?:complete|finish|finished|done(?: with)?|check off|tick off|mark)\s+(.+?)(?:\s+as\s+(?:done|complete|completed|finished))?$/i.exec(
      text,
    );
  if (m) return { kind: 'complete', ref: parseRef(m[1] ?? '') };
  m = /^(?:i )?(?:did|finished|completed)\s+(.+)$/i.exec(text);
  if (m) return { kind: 'complete', ref: parseRef(m[1] ?? '') };

  m = /^(?:delete|remove|drop|cancel|forget)\s+(.+)$/i.exec(text);
  if (m) return { kind: 'delete', ref: parseRef(m[1] ?? '') };

  if (/^(list|show|what|which|tasks|my tasks|todo list|agenda|anything)\b/i.test(text))
    return parseList(text, ctx);

  return {
    kind: 'help',
    reason:
      'try: "add pay rent friday 9am, remind me 1 hour before", "what\'s due this week", "complete rent", ' +
      '"snooze rent 10 minutes", "rename 2 to call mom", "every monday at 9 remind me to water the plants"',
  };
}
