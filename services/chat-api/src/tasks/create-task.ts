import { type Task, uuidv7 } from '@todo/events';
import { expectedReminder } from './expected-reminder.ts';
import type { TaskContext } from './task-context.ts';
import { taskEvents } from './task-events.ts';
import { checkRecurrencePeriod, quotaReached } from './task-limits.ts';
import type { CreateTaskInput } from './task-schemas.ts';
import { countOpenTasks, insertTaskWithEvents } from './task-store.ts';
import { toTask } from './task-wire.ts';

/** Creates a task and, in the same transaction, its created and change events. */
export async function createTask({
  ctx,
  input,
}: {
  ctx: TaskContext;
  input: CreateTaskInput;
}): Promise<Task> {
  checkRecurrencePeriod(input.recurrence, ctx.limits);
  const count = await countOpenTasks(ctx);
  if (count.open >= ctx.limits.maxOpenTasks) throw quotaReached('open tasks', ctx.limits.maxOpenTasks);
  if (input.recurrence !== 'none' && count.recurring >= ctx.limits.maxRecurringTasks)
    throw quotaReached('recurring tasks', ctx.limits.maxRecurringTasks);
  const now = ctx.now().toISOString();
  const draft: Task = {
    id: uuidv7(),
    user_id: ctx.userId,
    title: input.title,
    description: input.description,
    status: 'open',
    priority: input.priority,
    tags: input.tags,
    due_at: input.due_at,
    remind_at: input.remind_at,
    recurrence: input.recurrence,
    timezone: input.timezone,
    version: 1,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
  // One statement, hence one transaction: the task and its events in the outbox.
  const row = await insertTaskWithEvents(
    ctx.db,
    draft,
    expectedReminder(draft, ctx.now()),
    taskEvents.created(ctx, draft),
  );
  ctx.committed?.();
  return toTask(row);
}
