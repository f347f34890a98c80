/**
 * @todo/recurrence: when a recurring task's next reminder is due. Pure functions over a rule
 * parsed by @todo/events' `parseRecurrence`, computed in the task's IANA time zone with Intl
 * only (Node's ICU carries the tz database; no zone library to keep in step with it).
 */
export {
  CATCH_UP_MS,
  firstOccurrenceFrom,
  nextOccurrence,
  type Occurrence,
  type OccurrenceInput,
  type SeriesOf,
  seriesStart,
} from './next-occurrence.ts';
export {
  addDays,
  epochDay,
  instantOf,
  offsetAt,
  type WallClock,
  WEEKDAYS,
  wallClockAt,
  weekdayOf,
} from './zoned-time.ts';
