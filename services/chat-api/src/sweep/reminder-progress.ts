import type { TodoEvent } from '@todo/events';
import { parseRecurrence } from '@todo/events';
import { CATCH_UP_MS, firstOccurrenceFrom, nextOccurrence } from '@todo/recurrence';
import type { Db } from '../db/database.ts';
import type { ExpectedReminder } from '../tasks/expected-reminder.ts';
import { lockTasks, setExpectedReminders } from './reminder-store.ts';

/**
 * chat-api reads `reminders` (its own consumer group) to learn which occurrences fired: the
 * expected reminder of the task moves past the fired occurrence, to the next one of a recurring
 * series, or to none. The reminder sweep then re-announces only what should have fired and did
 * not. Firings arriving out of order or twice change nothing: only an occurrence at or after the
 * expected one moves it.
 *
 * A batch of firings is one transaction: the tasks locked in one query (in id order, so two
 * replicas, or the sweep, taking overlapping tasks cannot deadlock), the moved ones written in
 * one UPDATE. Several firings of one task are taken in the order given.
 *
 * @returns for each event, whether its task's expected reminder moved.
 */
export async function recordRemindersFired(
  db: Db,
  events: readonly TodoEvent<'todo.reminder.due.v1'>[],
  now: Date,
): Promise<boolean[]> {
  if (events.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const ids = [...new Set(events.map((e) => e.data.task_id))];
    // Locked to record the firings; a task that is gone (deleted) is not among them.
    const rows = new Map((await lockTasks(trx, ids)).map((r) => [r.id, r]));
    const moved = new Map<string, ExpectedReminder>();
    const result = events.map((event) => {
      const row = rows.get(event.data.task_id);
      const occurrence = new Date(event.data.occurrence);
      if (!row || row.user_id !== event.data.user_id) return false;
      if (!row.next_remind_at || !row.remind_at || row.next_remind_at.getTime() > occurrence.getTime())
        return false;
      const expected = following(row, occurrence, now);
      rows.set(row.id, { ...row, ...expected });
      moved.set(row.id, expected);
      return true;
    });
    await setExpectedReminders(trx, moved);
    return result;
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
