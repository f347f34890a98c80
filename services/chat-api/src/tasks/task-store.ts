import type { Task, TaskChanges } from '@todo/events';
import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import type { TaskRow } from '../db/schema.ts';
import { type OutboxEvent, queueEvents } from '../outbox/outbox-writer.ts';
import type { ExpectedReminder } from './expected-reminder.ts';
import type { TaskContext } from './task-context.ts';
import type { ListTasksQuery } from './task-schemas.ts';

/**
 * The tasks table: the only file of the tasks feature that speaks SQL. Every query is scoped
 * by the user id: another user's task does not exist here.
 */

const date = (s: string | null | undefined): Date | null => (s ? new Date(s) : null);

/**
 * Inserts a task and its outbox rows in ONE statement (data-modifying CTEs), so a create is one
 * round trip and still one transaction.
 */
export async function insertTaskWithEvents(
  db: Db,
  task: Task,
  expected: ExpectedReminder,
  events: readonly OutboxEvent[],
): Promise<TaskRow> {
  return db
    .with('inserted', (q) =>
      q
        .insertInto('tasks')
        .values({
          ...task,
          due_at: date(task.due_at),
          remind_at: date(task.remind_at),
          created_at: new Date(task.created_at),
          updated_at: new Date(task.updated_at),
          completed_at: date(task.completed_at),
          ...expected,
        })
        .returningAll(),
    )
    .with('queued', queueEvents(events))
    .selectFrom('inserted')
    .selectAll()
    .executeTakeFirstOrThrow();
}

/** Locks the user's task for the rest of the transaction; undefined if it is not theirs or gone. */
export async function lockTask(trx: Trx, userId: string, id: string): Promise<TaskRow | undefined> {
  return trx
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findTask(ctx: TaskContext, id: string): Promise<TaskRow | undefined> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', ctx.userId)
    .executeTakeFirst();
}

/** Writes the changed fields and the new version (and the expected reminder, when it changed). */
export async function updateTask(
  trx: Trx,
  row: TaskRow,
  changes: TaskChanges,
  updatedAt: Date,
  expected?: ExpectedReminder,
): Promise<TaskRow> {
  const set: Record<string, unknown> = { version: row.version + 1, updated_at: updatedAt, ...expected };
  for (const [k, val] of Object.entries(changes)) {
    set[k] = ['due_at', 'remind_at', 'completed_at'].includes(k) ? date(val as string | null) : val;
  }
  return trx
    .updateTable('tasks')
    .set(set)
    .where('id', '=', row.id)
    .where('user_id', '=', row.user_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteTaskRow(trx: Trx, row: TaskRow): Promise<void> {
  await trx.deleteFrom('tasks').where('id', '=', row.id).where('user_id', '=', row.user_id).execute();
}

/** An opaque cursor: the last row's (created_at, id), newest first. */
export function encodeCursor(row: Pick<TaskRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url');
}
export function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [at, id] = parsed as [unknown, unknown];
    // Only what encodeCursor writes: a four-digit-year instant (PostgreSQL refuses dates before
    // 4713 BC, and node-pg would send one), and a task id.
    if (typeof at !== 'string' || typeof id !== 'string' || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(at))
      return undefined;
    if (Number.isNaN(Date.parse(at))) return undefined;
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    return { createdAt: new Date(at), id };
  } catch {
    return undefined;
  }
}

/** The user's tasks, newest first, filtered; one more than `limit` to know if there is a next page. */
export async function selectTasks(
  ctx: TaskContext,
  query: Omit<ListTasksQuery, 'cursor'> & { after?: { createdAt: Date; id: string } },
): Promise<TaskRow[]> {
  let q = ctx.db.selectFrom('tasks').selectAll().where('user_id', '=', ctx.userId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.due_before) q = q.where('due_at', '<', new Date(query.due_before));
  if (query.due_after) q = q.where('due_at', '>=', new Date(query.due_after));
  if (query.tag) q = q.where(sql<boolean>`tags @> array[${query.tag}]::text[]`);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or([eb('title', 'ilike', like), eb('description', 'ilike', like)]));
  }
  if (query.after) {
    const { createdAt, id } = query.after;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
}

/** How many open tasks, and open recurring ones, the user has (the quotas). */
export async function countOpenTasks(ctx: TaskContext): Promise<{ open: number; recurring: number }> {
  const row = await ctx.db
    .selectFrom('tasks')
    .select((eb) => [
      eb.fn.countAll<string>().as('open'),
      // count(*), not count(id): the index tasks_user_open holds no id, and this way the count
      // is read from the index alone.
      sql<string>`count(*) filter (where recurrence <> 'none')`.as('recurring'),
    ])
    .where('user_id', '=', ctx.userId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return { open: Number(row.open), recurring: Number(row.recurring) };
}

/** The user's open tasks in the chat's order: soonest due first, undated last, then oldest. */
export async function openTasksInChatOrder(ctx: TaskContext, limit = 100): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', ctx.userId)
    .where('status', '=', 'open')
    .orderBy(sql`due_at asc nulls last`)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}
