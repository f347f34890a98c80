import * as v from 'valibot';
import { TaskChangesSchema, TaskSchema } from './task.ts';
import { InstantSchema } from './time.ts';
import { TOPICS, type Topic } from './topics.ts';

const TaskId = v.pipe(v.string(), v.uuid());
const Version = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * Every event type, its topic and the schema of its `data`. Adding a type here is the only
 * way to produce or consume it.
 */
export const EVENT_TYPES = {
  /** A task was created: the full task. */
  'todo.task.created.v1': { topic: TOPICS.taskEvents, data: TaskSchema },
  /** A task changed: only the changed fields, and the task's new version. */
  'todo.task.updated.v1': {
    topic: TOPICS.taskEvents,
    data: v.object({ id: TaskId, version: Version, changes: TaskChangesSchema }),
  },
  /** A task was completed. */
  'todo.task.completed.v1': {
    topic: TOPICS.taskEvents,
    data: v.object({ id: TaskId, version: Version, completed_at: InstantSchema }),
  },
  /** A task was deleted. */
  'todo.task.deleted.v1': { topic: TOPICS.taskEvents, data: v.object({ id: TaskId, version: Version }) },
  /**
   * The reminder sweep re-announces an open task whose reminder should have fired and did not:
   * the full task at its current version, and the occurrence chat-api expects next (its number
   * in the series counts for COUNT), so a reminder that was lost is registered again. A
   * consumer that already applied this version re-registers its own next occurrence, which is
   * harmless.
   */
  'todo.task.announced.v1': {
    topic: TOPICS.taskEvents,
    data: v.object({
      ...TaskSchema.entries,
      next_occurrence: v.object({ at: InstantSchema, index: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
    }),
  },
  /** One compact change record per write, for analytics. */
  'todo.task.changed.v1': {
    topic: TOPICS.taskUpdates,
    data: v.object({
      id: TaskId,
      version: Version,
      op: v.picklist(['created', 'updated', 'completed', 'deleted']),
      fields: v.array(v.string()),
      at: InstantSchema,
    }),
  },
  /** A task's reminder fired (one occurrence). */
  'todo.reminder.due.v1': {
    topic: TOPICS.reminders,
    data: v.object({
      task_id: TaskId,
      user_id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
      title: v.string(),
      due_at: v.nullable(InstantSchema),
      remind_at: InstantSchema,
      /** Which occurrence fired: its scheduled instant (the first one is the task's remind_at). */
      occurrence: InstantSchema,
      fired_at: InstantSchema,
    }),
  },
} as const satisfies Record<string, { topic: Topic; data: v.GenericSchema }>;

export type EventType = keyof typeof EVENT_TYPES;
export type EventData<T extends EventType> = v.InferOutput<(typeof EVENT_TYPES)[T]['data']>;
export type EventDataInput<T extends EventType> = v.InferInput<(typeof EVENT_TYPES)[T]['data']>;
