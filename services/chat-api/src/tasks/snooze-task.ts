import type { Task } from '@todo/events';
import { AppError } from '@todo/platform';
import { inWriteTransaction, type TaskContext } from './task-context.ts';
import type { SnoozeInput } from './task-schemas.ts';
import { lockTask } from './task-store.ts';
import { applyChanges, taskNotFound } from './update-task.ts';

/** Moves an open task's reminder to now + minutes, or to `until` (which must be ahead). */
export async function snoozeTask({
  ctx,
  id,
  input,
}: {
  ctx: TaskContext;
  id: string;
  input: SnoozeInput;
}): Promise<Task> {
  const now = ctx.now();
  const until = 'minutes' in input ? new Date(now.getTime() + input.minutes * 60_000) : new Date(input.until);
  if (until.getTime() <= now.getTime()) {
    throw new AppError('validation_failed', 'snooze until a time in the future', {
      errors: [{ path: 'body.until', message: 'must be in the future' }],
    });
  }
  return inWriteTransaction(ctx, async (trx) => {
    const row = await lockTask(trx, ctx.userId, id);
    if (!row) throw taskNotFound(id);
    if (row.status !== 'open') throw new AppError('conflict', `task ${id} is completed; reopen it to snooze`);
    return applyChanges(ctx, trx, id, { remind_at: until.toISOString() });
  });
}
