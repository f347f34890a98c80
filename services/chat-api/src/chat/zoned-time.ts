/**
 * Wall-clock time in an IANA zone, with Intl only. DST-safe: a wall time is turned into an
 * instant with the zone's offset at that instant, not the offset of "now".
 */
export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall clock of an instant in a zone (and its weekday, 0 = Sunday). */
export function wallClock(instant: Date, zone: string): WallTime & { weekday: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The zone's offset from UTC at an instant, in minutes (Paris in winter: 60). */
export function offsetMinutes(instant: Date, zone: string): number {
  const w = wallClock(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall time names in a zone. In a DST gap (02:30 on a spring-forward night) it
 * is the moment after the gap; in an overlap (01:30 twice) the earlier of the two.
 */
export function zonedToInstant(w: WallTime, zone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
  // The zone's offsets around that day (a DST change gives two); each gives a candidate.
  const before = offsetMinutes(new Date(guess - 86_400_000), zone);
  const after = offsetMinutes(new Date(guess + 86_400_000), zone);
  const candidates = [...new Set([before, after])]
    .map((off) => guess - off * 60_000)
    .filter((t) => {
      const back = wallClock(new Date(t), zone);
      return back.day === w.day && back.hour === w.hour && back.minute === w.minute;
    });
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  // A gap: the wall time does not exist; read it with the offset before the change, which
  // lands as far after the gap as the time was into it.
  return new Date(guess - before * 60_000);
}

/** Adds days to a calendar date (no zone involved). */
export function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
