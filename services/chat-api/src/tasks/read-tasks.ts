import type { Task } from '@todo/events';
import { AppError } from '@todo/platform';
import type { TaskContext } from './task-context.ts';
import type { ListTasksQuery } from './task-schemas.ts';
import { decodeCursor, encodeCursor, findTask, openTasksInChatOrder, selectTasks } from './task-store.ts';
import { toTask } from './task-wire.ts';
import { taskNotFound } from './update-task.ts';

export async function getTask({ ctx, id }: { ctx: TaskContext; id: string }): Promise<Task> {
  const row = await findTask(ctx, id);
  if (!row) throw taskNotFound(id);
  return toTask(row);
}

export interface TaskPage {
  items: Task[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

export async function listTasks({
  ctx,
  input,
}: {
  ctx: TaskContext;
  input: ListTasksQuery;
}): Promise<TaskPage> {
  const { cursor, ...filters } = input;
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !after) {
    throw new AppError('invalid_request', 'the cursor is not one this API gave out', {
      errors: [{ path: 'query.cursor', message: 'invalid cursor' }],
    });
  }
  const rows = await selectTasks(ctx, { ...filters, ...(after ? { after } : {}) });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    next_cursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

/** The user's open tasks in the chat's order (soonest due first, undated last): what "task 2" means. */
export async function listOpenTasksForChat({ ctx }: { ctx: TaskContext }): Promise<Task[]> {
  return (await openTasksInChatOrder(ctx)).map(toTask);
}
