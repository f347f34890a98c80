import { parseRecurrence, type Task, type TaskChanges } from '@todo/events';
import { AppError } from '@todo/platform';
import type { Trx } from '../db/database.ts';
import { enqueueEvents } from '../outbox/outbox-writer.ts';
import { expectedReminder, SERIES_FIELDS } from './expected-reminder.ts';
import { inWriteTransaction, type TaskContext } from './task-context.ts';
import { taskEvents } from './task-events.ts';
import { checkRecurrencePeriod, quotaReached } from './task-limits.ts';
import type { PatchTaskInput } from './task-schemas.ts';
import { countOpenTasks, lockTask, updateTask } from './task-store.ts';
import { toTask } from './task-wire.ts';

/** Another user's task is the same 404 as a missing one. */
export function taskNotFound(id: string): AppError {
  return new AppError('not_found', `task ${id} not found`);
}

/** A stale If-Match (the version the client last read) is a 412 naming the current version. */
export function checkVersion(row: { id: string; version: number }, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== row.version) {
    throw new AppError('version_conflict', `task ${row.id} is at version ${row.version}, not ${ifMatch}`, {
      extra: { current_version: row.version },
    });
  }
}

/** Reopening a task, or making an open one recurring, counts against the user's quotas. */
async function checkQuotasOfChange(ctx: TaskContext, current: Task, changes: TaskChanges): Promise<void> {
  const reopens = changes.status === 'open' && current.status !== 'open';
  const status = changes.status ?? current.status;
  const becomesRecurring =
    status === 'open' &&
    (changes.recurrence ?? current.recurrence) !== 'none' &&
    (reopens || current.recurrence === 'none');
  if (!reopens && !becomesRecurring) return;
  const count = await countOpenTasks(ctx);
  if (reopens && count.open >= ctx.limits.maxOpenTasks)
    throw quotaReached('open tasks', ctx.limits.maxOpenTasks);
  if (becomesRecurring && count.recurring >= ctx.limits.maxRecurringTasks)
    throw quotaReached('recurring tasks', ctx.limits.maxRecurringTasks);
}

/** Only the fields whose value really changes. */
function diff(current: Task, patch: TaskChanges): TaskChanges {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const now = current[key as keyof Task];
    if (JSON.stringify(now) !== JSON.stringify(value)) out[key] = value;
  }
  return out as TaskChanges;
}

/**
 * Applies changes to the user's task under a row lock: bumps the version once, writes the
 * events of the change in the same transaction. Completing emits `todo.task.completed.v1`
 * (after an `updated` for any other field changed with it); nothing changing writes nothing.
 */
export async function applyChanges(
  ctx: TaskContext,
  trx: Trx,
  id: string,
  patch: TaskChanges,
  options: { ifMatch?: number | undefined } = {},
): Promise<Task> {
  const row = await lockTask(trx, ctx.userId, id);
  if (!row) throw taskNotFound(id);
  checkVersion(row, options.ifMatch);
  const current = toTask(row);
  const nowIso = ctx.now().toISOString();
  const full: TaskChanges = { ...patch };
  if (patch.status === 'completed' && current.status !== 'completed') full.completed_at = nowIso;
  if (patch.status === 'open' && current.status !== 'open') full.completed_at = null;
  const changes = diff(current, full);
  if (Object.keys(changes).length === 0) return current;

  if (changes.recurrence !== undefined) checkRecurrencePeriod(changes.recurrence, ctx.limits);
  await checkQuotasOfChange(ctx, current, changes);
  const recurrence = changes.recurrence ?? current.recurrence;
  const remindAt = 'remind_at' in changes ? changes.remind_at : current.remind_at;
  if (recurrence !== 'none' && !remindAt && parseRecurrence(recurrence).ok) {
    throw new AppError('validation_failed', 'a recurring task needs remind_at: its first occurrence', {
      errors: [{ path: 'body.remind_at', message: 'a recurring task needs remind_at' }],
    });
  }

  const { status, completed_at, ...rest } = changes;
  const completing = status === 'completed';
  // A change to when or whether it reminds starts the expected series again; otherwise what
  // fired so far stands.
  const draft = { ...current, ...(changes as Partial<Task>) };
  const restarts = SERIES_FIELDS.some((f) => f in changes);
  const expected = restarts ? expectedReminder(draft, ctx.now()) : undefined;
  const updated = toTask(await updateTask(trx, row, changes, new Date(nowIso), expected));
  const events = [];
  if (completing) {
    if (Object.keys(rest).length > 0) events.push(...taskEvents.updated(ctx, updated, rest));
    events.push(...taskEvents.completed(ctx, updated));
  } else {
    events.push(...taskEvents.updated(ctx, updated, changes));
  }
  await enqueueEvents(trx, events);
  return updated;
}

/** `PATCH /v1/tasks/{id}` */
export async function updateTaskFields({
  ctx,
  id,
  input,
  ifMatch,
}: {
  ctx: TaskContext;
  id: string;
  input: PatchTaskInput;
  ifMatch?: number | undefined;
}): Promise<Task> {
  return inWriteTransaction(ctx, (trx) => applyChanges(ctx, trx, id, input as TaskChanges, { ifMatch }));
}

/** `POST /v1/tasks/{id}/complete`: completing a completed task changes nothing. */
export async function completeTask({ ctx, id }: { ctx: TaskContext; id: string }): Promise<Task> {
  return inWriteTransaction(ctx, (trx) => applyChanges(ctx, trx, id, { status: 'completed' }));
}
