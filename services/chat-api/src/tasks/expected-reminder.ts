import type { Task } from '@todo/events';
import { seriesStart } from '@todo/recurrence';

/** The reminder chat-api expects to fire next for a task (columns `next_remind_*`). */
export interface ExpectedReminder {
  next_remind_at: Date | null;
  next_remind_index: number | null;
}

/**
 * What to expect of a task's reminder after a write that set it: where its series starts
 * (@todo/recurrence's `seriesStart`, the same rule task-reminder arms by), nothing for a task
 * that is not open. The reminder sweep compares it with what fired.
 */
export function expectedReminder(task: Task, now: Date): ExpectedReminder {
  const start = task.status === 'open' ? seriesStart(task, now) : null;
  return start
    ? { next_remind_at: new Date(start.at), next_remind_index: start.index }
    : { next_remind_at: null, next_remind_index: null };
}

/** The fields whose change starts a task's reminder series again. */
export const SERIES_FIELDS = ['remind_at', 'recurrence', 'timezone', 'status'] as const;
