import { buildEvent } from '@todo/events';
import type { Db } from '../db/database.ts';
import { enqueueEvents } from '../outbox/outbox-writer.ts';
import { expectedReminder } from '../tasks/expected-reminder.ts';
import { SOURCE } from '../tasks/task-context.ts';
import { toTask } from '../tasks/task-wire.ts';
import {
  markAnnounced,
  overdueReminders,
  recurringBehind,
  type SweepCursor,
  setExpectedReminders,
  withSweepLock,
} from './reminder-store.ts';

export interface SweepOptions {
  db: Db;
  now: () => Date;
  /** Reminders overdue by more than this are repaired [3 min]: less is a reminder merely late in a busy second. */
  graceMs?: number;
  /** ...and by less than this [24 h]; a recurring series further behind skips to its next occurrence. */
  lookbackMs?: number;
  /** A task re-announced is not re-announced again before this [5 min]. */
  reannounceMs?: number;
  /** Tasks per page (one transaction each) [500], and the most one sweep announces [5000]. */
  pageSize?: number;
  maxPerSweep?: number;
  /** Called after each page's announcements committed to the outbox (wakes the relay). */
  committed?: () => void;
}

export interface SweepResult {
  /** Tasks re-announced (`todo.task.announced.v1`). */
  announced: number;
  /** Recurring series moved past occurrences older than the lookback. */
  advanced: number;
  /** True when another replica was sweeping, so this one did nothing. */
  skipped: boolean;
}

/**
 * The reminder sweep (the `reminder-sweep` cron binding, every minute): re-announces every open
 * task whose expected reminder is overdue and has not fired — what chat-api sees fire on
 * `reminders` moves the expectation on (reminder-progress.ts) — as `todo.task.announced.v1`
 * through the outbox, with the occurrence expected, so task-reminder registers again a reminder
 * that was lost (a registration that failed, a firing the scheduler gave up on). It pages
 * through everything overdue, however many stale tasks exist, and runs in one replica at a time.
 * A task it announced is not announced again for `reannounceMs`, and one sweep announces at
 * most `maxPerSweep`: a pipeline that is only behind (a backlog after an outage) is not buried
 * under announcements of work it has yet to do.
 */
export async function sweepReminders(options: SweepOptions): Promise<SweepResult> {
  const now = options.now();
  const pageSize = options.pageSize ?? 500;
  const from = new Date(now.getTime() - (options.lookbackMs ?? 86_400_000));
  const to = new Date(now.getTime() - (options.graceMs ?? 180_000));
  const announcedBefore = new Date(now.getTime() - (options.reannounceMs ?? 300_000));
  const maxPerSweep = options.maxPerSweep ?? 5_000;
  const correlationid = `reminder-sweep-${now.toISOString()}`;
  const result = await withSweepLock(options.db, async (db) => {
    let advanced = 0;
    for (
      let rows = await recurringBehind(db, from, pageSize);
      rows.length > 0;
      rows = await recurringBehind(db, from, pageSize)
    ) {
      // seriesStart looks from now: the new expectation is never behind `from` again.
      await setExpectedReminders(
        db,
        new Map(rows.map((row) => [row.id, expectedReminder(toTask(row), now)])),
      );
      advanced += rows.length;
    }
    let announced = 0;
    let after: SweepCursor | undefined;
    while (announced < maxPerSweep) {
      const rows = await overdueReminders(db, { from, to, announcedBefore, after, limit: pageSize });
      if (rows.length === 0) break;
      const events = rows.map((row) =>
        buildEvent({
          type: 'todo.task.announced.v1',
          source: SOURCE,
          subject: row.id,
          userid: row.user_id,
          correlationid,
          time: now,
          data: {
            ...toTask(row),
            next_occurrence: {
              at: (row.next_remind_at as Date).toISOString(),
              index: row.next_remind_index ?? 1,
            },
          },
        }),
      );
      await db.transaction().execute(async (trx) => {
        await enqueueEvents(trx, events);
        await markAnnounced(
          trx,
          rows.map((r) => r.id),
          now,
        );
      });
      options.committed?.();
      announced += rows.length;
      const last = rows.at(-1) as (typeof rows)[number];
      after = { at: last.next_remind_at as Date, id: last.id };
      if (rows.length < pageSize) break;
    }
    return { announced, advanced, skipped: false };
  });
  return result ?? { announced: 0, advanced: 0, skipped: true };
}
