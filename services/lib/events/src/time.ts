import * as v from 'valibot';

/**
 * True when the string's calendar date and clock exist: `2026-02-30T10:00:00Z` matches the
 * RFC 3339 pattern but is no day, and Date would silently roll it over to March 2.
 */
export function isRealInstant(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return (
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === mo - 1 &&
    day.getUTCDate() === d &&
    !Number.isNaN(Date.parse(text))
  );
}

/** The range of instants the system takes: years 1900 to 2199. */
export const INSTANT_MIN = '1900-01-01T00:00:00.000Z';
export const INSTANT_MAX = '2200-01-01T00:00:00.000Z';

/**
 * An instant as RFC 3339 with an offset (`Z` or `±hh:mm`), normalised to UTC with
 * milliseconds (`2026-12-01T09:00:00.000Z`), which is how every time is stored and sent.
 */
export const InstantSchema = v.pipe(
  v.string(),
  v.regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i,
    'must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T09:00:00Z',
  ),
  v.check(isRealInstant, 'is not a real date and time'),
  v.transform((s) => new Date(s).toISOString()),
  // A sane range: a start far in the past is fine (a series jumps to its next occurrence), a
  // date PostgreSQL or a person cannot mean is not.
  v.check(
    (iso) => iso >= INSTANT_MIN && iso < INSTANT_MAX,
    `must be from ${INSTANT_MIN.slice(0, 4)} to ${INSTANT_MAX.slice(0, 4)}`,
  ),
);

const knownZones = new Set<string>();

/** True when the runtime knows the IANA time zone (`Europe/Paris`, `UTC`). Cached: every event checks it. */
export function isTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < 1000) knownZones.add(zone);
  return true;
}

export const TimeZoneSchema = v.pipe(
  v.string(),
  v.maxLength(64),
  v.check(isTimeZone, 'is not a known IANA time zone'),
);
