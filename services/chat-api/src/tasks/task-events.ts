import {
  buildEvent,
  type EventDataInput,
  type Task,
  type TaskChanges,
  type TodoEvent,
  type Topic,
} from '@todo/events';
import { SOURCE, type TaskContext } from './task-context.ts';

type Built = { event: TodoEvent; topic: Topic };
type Op = 'created' | 'updated' | 'completed' | 'deleted';

function envelope(ctx: TaskContext, task: Pick<Task, 'id' | 'user_id'>) {
  return {
    source: SOURCE,
    subject: task.id,
    userid: task.user_id,
    correlationid: ctx.correlationId,
    time: ctx.now(),
  };
}

function changeRecord(
  ctx: TaskContext,
  task: Pick<Task, 'id' | 'user_id'>,
  version: number,
  op: Op,
  fields: string[],
): Built {
  return buildEvent({
    ...envelope(ctx, task),
    type: 'todo.task.changed.v1',
    data: { id: task.id, version, op, fields, at: ctx.now().toISOString() },
  });
}

/**
 * The events one write produces: its lifecycle event on task-events and one compact change
 * record on task-updates, both for the outbox of the same transaction.
 */
export const taskEvents = {
  created(ctx: TaskContext, task: Task): Built[] {
    return [
      buildEvent({ ...envelope(ctx, task), type: 'todo.task.created.v1', data: task }),
      changeRecord(ctx, task, task.version, 'created', Object.keys(task)),
    ];
  },
  updated(ctx: TaskContext, task: Task, changes: TaskChanges): Built[] {
    const data: EventDataInput<'todo.task.updated.v1'> = { id: task.id, version: task.version, changes };
    return [
      buildEvent({ ...envelope(ctx, task), type: 'todo.task.updated.v1', data }),
      changeRecord(ctx, task, task.version, 'updated', Object.keys(changes)),
    ];
  },
  completed(ctx: TaskContext, task: Task): Built[] {
    return [
      buildEvent({
        ...envelope(ctx, task),
        type: 'todo.task.completed.v1',
        data: {
          id: task.id,
          version: task.version,
          completed_at: task.completed_at ?? ctx.now().toISOString(),
        },
      }),
      changeRecord(ctx, task, task.version, 'completed', ['status', 'completed_at']),
    ];
  },
  deleted(ctx: TaskContext, task: Pick<Task, 'id' | 'user_id'>, version: number): Built[] {
    return [
      buildEvent({ ...envelope(ctx, task), type: 'todo.task.deleted.v1', data: { id: task.id, version } }),
      changeRecord(ctx, task, version, 'deleted', []),
    ];
  },
};
