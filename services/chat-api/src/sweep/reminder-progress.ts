import type { TodoEvent } from '@todo/events';
import { parseRecurrence } from '@todo/events';
import { CATCH_UP_MS, firstOccurrenceFrom, nextOccurrence } from '@todo/recurrence';
import type { Db } from '../db/database.ts';
import type { ExpectedReminder } from '../tasks/expected-reminder.ts';
import { lockTask } from '../tasks/task-store.ts';
import { setExpectedReminder } from './reminder-store.ts';

/**
 * chat-api reads `reminders` (its own consumer group) to learn which occurrences fired: the
 * expected reminder of the task moves past the fired occurrence, to the next one of a recurring
 * series, or to none. The reminder sweep then re-announces only what should have fired and did
 * not. Firings arriving out of order or twice change nothing: only an occurrence at or after the
 * expected one moves it.
 *
 * @returns whether the expected reminder moved.
 */
export async function recordReminderFired(
  db: Db,
  event: TodoEvent<'todo.reminder.due.v1'>,
  now: Date,
): Promise<boolean> {
  const occurrence = new Date(event.data.occurrence);
  return db.transaction().execute(async (trx) => {
    // Locked to record the firing; undefined when the task is gone (deleted) or not the user's.
    const row = await lockTask(trx, event.data.user_id, event.data.task_id);
    if (!row?.next_remind_at || !row.remind_at || row.next_remind_at.getTime() > occurrence.getTime())
      return false;
    await setExpectedReminder(trx, row.id, following(row, occurrence, now));
    return true;
  });
}

/** What is expected after `occurrence` fired: the next occurrence of a recurring series, or none. */
function following(
  row: {
    remind_at: Date | null;
    recurrence: string;
    timezone: string;
    next_remind_at: Date | null;
    next_remind_index: number | null;
  },
  occurrence: Date,
  now: Date,
): ExpectedReminder {
  const none = { next_remind_at: null, next_remind_index: null };
  const parsed = parseRecurrence(row.recurrence);
  if (!parsed.ok || !parsed.rule || !row.remind_at) return none;
  const start = row.remind_at;
  // The fired occurrence's number in the series: the one expected, or found from the start.
  const index =
    row.next_remind_at?.getTime() === occurrence.getTime() && row.next_remind_index
      ? row.next_remind_index
      : (firstOccurrenceFrom(parsed.rule, { start, timeZone: row.timezone, notBefore: occurrence })?.index ??
        1);
  const next = nextOccurrence(parsed.rule, {
    start,
    timeZone: row.timezone,
    previous: occurrence,
    previousIndex: index,
    notBefore: new Date(now.getTime() - CATCH_UP_MS),
  });
  return next ? { next_remind_at: next.at, next_remind_index: next.index } : none;
}
