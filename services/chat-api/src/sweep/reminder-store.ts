/**
 * The SQL of the reminder bookkeeping: which open tasks' expected reminders are overdue, which
 * recurring series fell behind, and recording that an occurrence fired. Every user's tasks: the
 * sweep and the reminders consumer act for the system, never for one user.
 */
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import type { TaskRow } from '../db/schema.ts';
import type { ExpectedReminder } from '../tasks/expected-reminder.ts';

/** A position in (next_remind_at, id) order, to page through a range. */
export interface SweepCursor {
  at: Date;
  id: string;
}

/**
 * Runs `work` only if no other chat-api replica is sweeping now (a PostgreSQL session advisory
 * lock on one connection), so two replicas' cron firings cost one sweep. Undefined when the lock
 * was taken.
 */
export async function withSweepLock<T>(db: Db, work: (conn: Db) => Promise<T>): Promise<T | undefined> {
  return db.connection().execute(async (conn) => {
    const got = await sql<{
      ok: boolean;
    }>`select pg_try_advisory_lock(hashtext('todo.reminder-sweep')) as ok`.execute(conn);
    if (!got.rows[0]?.ok) return undefined;
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('todo.reminder-sweep'))`.execute(conn);
    }
  });
}

/**
 * Open tasks whose expected reminder is due within [from, to] and that were not re-announced
 * since `announcedBefore`, after `after`, in order.
 */
export async function overdueReminders(
  db: Db,
  range: { from: Date; to: Date; announcedBefore: Date; after?: SweepCursor | undefined; limit: number },
): Promise<TaskRow[]> {
  let q = db
    .selectFrom('tasks')
    .selectAll()
    .where('status', '=', 'open')
    .where('next_remind_at', '>=', range.from)
    .where('next_remind_at', '<=', range.to)
    .where((eb) =>
      eb.or([eb('sweep_announced_at', 'is', null), eb('sweep_announced_at', '<', range.announcedBefore)]),
    );
  const after = range.after;
  if (after) q = q.where(sql<boolean>`(next_remind_at, id) > (${after.at}, ${after.id})`);
  return q.orderBy('next_remind_at').orderBy('id').limit(range.limit).execute();
}

/**
 * Records that the sweep re-announced these tasks now. The rows are locked in id order first, as
 * `lockTasks` takes them, so a sweep and a batch of recorded firings sharing tasks cannot each
 * hold a row the other waits for (an UPDATE alone locks in whatever order its plan reads).
 */
export async function markAnnounced(db: Db | Trx, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.selectFrom('tasks').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
  await db.updateTable('tasks').set({ sweep_announced_at: at }).where('id', 'in', ids).execute();
}

/** Open recurring tasks whose expected occurrence is older than `before`: their series fell behind. */
export async function recurringBehind(db: Db, before: Date, limit: number): Promise<TaskRow[]> {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('status', '=', 'open')
    .where('recurrence', '<>', 'none')
    .where('next_remind_at', '<', before)
    .orderBy('next_remind_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Locks these tasks (any user's: the caller checks), in id order so concurrent lockers cannot deadlock. */
export async function lockTasks(trx: Trx, ids: readonly string[]): Promise<TaskRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('tasks')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Sets what these tasks' reminders are expected to do next, in one statement; their versions do not change. */
export async function setExpectedReminders(db: Db | Trx, expected: ReadonlyMap<string, ExpectedReminder>) {
  if (expected.size === 0) return;
  const entries = [...expected];
  await sql`
    update tasks set next_remind_at = v.at, next_remind_index = v.idx
    from unnest(${entries.map(([id]) => id)}::uuid[],
                ${entries.map(([, e]) => e.next_remind_at?.toISOString() ?? null)}::timestamptz[],
                ${entries.map(([, e]) => e.next_remind_index)}::int[]) as v(id, at, idx)
    where tasks.id = v.id`.execute(db);
}
