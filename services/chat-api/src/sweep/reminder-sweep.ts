import { buildEvent } from '@todo/events';
import type { Db } from '../db/database.ts';
import { enqueueEvents } from '../outbox/outbox-writer.ts';
import { SOURCE } from '../tasks/task-context.ts';
import { openTasksWithReminderBefore } from '../tasks/task-store.ts';
import { toTask } from '../tasks/task-wire.ts';

export interface SweepOptions {
  db: Db;
  now: () => Date;
  /** Re-announce reminders due up to this far ahead. Default 120 s (twice the default schedule). */
  horizonMs?: number;
  /** ...and one-shot reminders due this far back that may have been lost. Default 1 h. */
  lookbackMs?: number;
  /** Tasks per sweep. Default 1000. */
  limit?: number;
}

/**
 * The reminder sweep (the `reminder-sweep` cron binding): re-announces every open task whose
 * reminder is due soon, as `todo.task.announced.v1` through the outbox, so task-reminder
 * registers again any reminder that was lost (the actor's version check makes this harmless).
 * Recurring tasks are always re-announced: their next occurrence lives in the actor.
 */
export async function sweepReminders(options: SweepOptions): Promise<{ announced: number }> {
  const now = options.now();
  const until = new Date(now.getTime() + (options.horizonMs ?? 120_000));
  const from = now.getTime() - (options.lookbackMs ?? 3_600_000);
  const rows = await openTasksWithReminderBefore(options.db, until, options.limit ?? 1000);
  const due = rows.filter((r) => r.recurrence !== 'none' || (r.remind_at?.getTime() ?? 0) >= from);
  if (due.length === 0) return { announced: 0 };
  const correlationid = `reminder-sweep-${now.toISOString()}`;
  await options.db.transaction().execute(async (trx) => {
    await enqueueEvents(
      trx,
      due.map((row) => {
        const task = toTask(row);
        return buildEvent({
          type: 'todo.task.announced.v1',
          source: SOURCE,
          subject: task.id,
          userid: task.user_id,
          correlationid,
          data: task,
          time: now,
        });
      }),
    );
  });
  return { announced: due.length };
}
