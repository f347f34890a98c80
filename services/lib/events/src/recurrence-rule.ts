/**
 * The recurrence of a task: `none`, `daily`, `weekly`, `monthly`, or an RRULE subset
 * (RFC 5545) `RRULE:FREQ=...;INTERVAL=n;BYDAY=MO,WE;BYMONTHDAY=n;COUNT=n;UNTIL=<instant>`.
 * SECONDLY and MINUTELY exist so tests can watch several occurrences fire in seconds.
 * This module only parses; the next occurrence is computed by @todo/recurrence.
 */
export type Frequency = 'SECONDLY' | 'MINUTELY' | 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY';
export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  byDay?: Weekday[];
  byMonthDay?: number;
  count?: number;
  until?: string;
}

const FREQS = new Set<string>(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY']);
const DAYS = new Set<string>(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']);
const SHORTHAND: Record<string, RecurrenceRule> = {
  daily: { freq: 'DAILY', interval: 1 },
  weekly: { freq: 'WEEKLY', interval: 1 },
  monthly: { freq: 'MONTHLY', interval: 1 },
};

/** The parts that take a whole number: the field they set and their largest value. */
const WHOLE_NUMBER_PARTS = {
  INTERVAL: ['interval', 1000],
  COUNT: ['count', 100_000],
  BYMONTHDAY: ['byMonthDay', 31],
} as const satisfies Record<string, [keyof RecurrenceRule, number]>;

export type ParsedRecurrence = { ok: true; rule: RecurrenceRule | null } | { ok: false; message: string };

/** Parses a task's `recurrence`; `none` gives `rule: null`. Never throws. */
export function parseRecurrence(text: string): ParsedRecurrence {
  if (text === 'none') return { ok: true, rule: null };
  const short = SHORTHAND[text];
  if (short) return { ok: true, rule: { ...short } };
  if (!text.startsWith('RRULE:')) {
    return { ok: false, message: 'must be none, daily, weekly, monthly or RRULE:FREQ=...' };
  }
  const rule: Partial<RecurrenceRule> = { interval: 1 };
  const seen = new Set<string>();
  for (const part of text.slice('RRULE:'.length).split(';')) {
    const [key, value, ...rest] = part.split('=');
    if (!key || value === undefined || value === '' || rest.length > 0)
      return { ok: false, message: `malformed part "${part}"` };
    if (seen.has(key)) return { ok: false, message: `${key} is given twice` };
    seen.add(key);
    switch (key) {
      case 'FREQ':
        if (!FREQS.has(value)) return { ok: false, message: `FREQ must be one of ${[...FREQS].join(', ')}` };
        rule.freq = value as Frequency;
        break;
      case 'INTERVAL':
      case 'COUNT':
      case 'BYMONTHDAY': {
        const [field, max] = WHOLE_NUMBER_PARTS[key];
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > max)
          return { ok: false, message: `${key} must be an integer from 1 to ${max}` };
        rule[field] = n;
        break;
      }
      case 'BYDAY': {
        const days = value.split(',');
        if (!days.every((d) => DAYS.has(d)))
          return { ok: false, message: 'BYDAY must list MO,TU,WE,TH,FR,SA,SU' };
        rule.byDay = [...new Set(days)] as Weekday[];
        break;
      }
      case 'UNTIL': {
        const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
        if (!m) return { ok: false, message: 'UNTIL must be a UTC date-time like 20261231T235959Z' };
        const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
        if (Number.isNaN(Date.parse(iso))) return { ok: false, message: 'UNTIL is not a real date' };
        rule.until = new Date(iso).toISOString();
        break;
      }
      default:
        return {
          ok: false,
          message: `${key} is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY)`,
        };
    }
  }
  if (!rule.freq) return { ok: false, message: 'FREQ is required' };
  if (rule.byDay && rule.freq !== 'WEEKLY')
    return { ok: false, message: 'BYDAY is only supported with FREQ=WEEKLY' };
  if (rule.byMonthDay && rule.freq !== 'MONTHLY')
    return { ok: false, message: 'BYMONTHDAY is only supported with FREQ=MONTHLY' };
  return { ok: true, rule: rule as RecurrenceRule };
}
