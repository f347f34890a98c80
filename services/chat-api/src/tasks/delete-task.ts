import { enqueueEvents } from '../outbox/outbox-writer.ts';
import { inWriteTransaction, type TaskContext } from './task-context.ts';
import { taskEvents } from './task-events.ts';
import { deleteTaskRow, lockTask } from './task-store.ts';
import { checkVersion, taskNotFound } from './update-task.ts';

/** Deletes the user's task; its deleted event carries the version the deletion makes. */
export async function deleteTask({
  ctx,
  id,
  ifMatch,
}: {
  ctx: TaskContext;
  id: string;
  ifMatch?: number | undefined;
}): Promise<void> {
  await inWriteTransaction(ctx, async (trx) => {
    const row = await lockTask(trx, ctx.userId, id);
    if (!row) throw taskNotFound(id);
    checkVersion(row, ifMatch);
    await deleteTaskRow(trx, row);
    await enqueueEvents(trx, taskEvents.deleted(ctx, { id: row.id, user_id: row.user_id }, row.version + 1));
  });
}
