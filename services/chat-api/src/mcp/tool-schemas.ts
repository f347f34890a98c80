/**
 * The MCP tools' arguments and results, derived from the REST schemas (tasks/task-schemas.ts):
 * the same field schemas check a tool call as a request body, and the JSON Schema a client lists
 * is generated from them. Objects are strict, so an argument the tool does not take (`user_id`
 * among them: the user comes from the bearer token) is refused by name.
 */
import { TaskSchema, TimeZoneSchema } from '@todo/events';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import {
  CreateTaskFields,
  ListTasksQuerySchema,
  PatchTaskFields,
  SnoozeSchema,
  TaskIdParamSchema,
} from '../tasks/task-schemas.ts';

/**
 * A valibot schema as the MCP SDK takes it (Standard Schema with its JSON Schema). Checks JSON
 * Schema cannot say (a known time zone, a parsable RRULE) are left out of the listed schema and
 * still run when a call is validated.
 */
export function forMcp<S extends v.GenericSchema>(schema: S) {
  const json =
    (typeMode: 'input' | 'output') =>
    (options: { target: string }): Record<string, unknown> =>
      toJsonSchema(schema, {
        typeMode,
        errorMode: 'ignore',
        target: options.target === 'draft-07' ? 'draft-07' : 'draft-2020-12',
      }) as Record<string, unknown>;
  return {
    '~standard': {
      ...schema['~standard'],
      jsonSchema: { input: json('input'), output: json('output') },
    },
  } as unknown as {
    '~standard': S['~standard'] & {
      jsonSchema: {
        input: (o: { target: string }) => Record<string, unknown>;
        output: (o: { target: string }) => Record<string, unknown>;
      };
    };
  };
}

const said = <S extends v.GenericSchema>(schema: S, description: string) =>
  v.pipe(schema, v.description(description));

const TaskId = said(TaskIdParamSchema.entries.id, 'The task id (a UUID, from add_task or list_tasks).');
const fields = CreateTaskFields.entries;
const changes = PatchTaskFields.entries;
const query = ListTasksQuerySchema.entries;

const described = {
  title: 'What to do, in a few words.',
  description: 'Longer notes; null for none.',
  priority: 'low, medium or high.',
  tags: 'Up to 20 tags (letters, digits, - or _).',
  due_at: 'When it is due: RFC 3339 with an offset, e.g. 2026-12-01T09:00:00+01:00; null for none.',
  remind_at:
    'When to remind the user: RFC 3339 with an offset; a recurring task reminds first at this instant.',
  recurrence: 'none, daily, weekly, monthly, or an RRULE such as RRULE:FREQ=WEEKLY;BYDAY=MO,WE.',
  timezone:
    "The IANA zone the dates mean (Europe/Paris); the user's remembered zone, else UTC, when left out.",
} as const;

/** `add_task`: the fields of `POST /v1/tasks`; the time zone left out means the user's own. */
export const AddTaskArgs = v.strictObject({
  title: said(fields.title, described.title),
  description: said(fields.description, described.description),
  priority: said(fields.priority, described.priority),
  tags: said(fields.tags, described.tags),
  due_at: said(fields.due_at, described.due_at),
  remind_at: said(fields.remind_at, described.remind_at),
  recurrence: said(fields.recurrence, described.recurrence),
  timezone: said(v.optional(TimeZoneSchema), described.timezone),
});

/** `list_tasks`: the filters of `GET /v1/tasks`, with `limit` a number. */
export const ListTasksArgs = v.strictObject({
  status: said(query.status, 'open or completed; both when left out.'),
  due_after: said(query.due_after, 'Only tasks due at or after this instant (RFC 3339).'),
  due_before: said(query.due_before, 'Only tasks due before this instant (RFC 3339).'),
  tag: said(query.tag, 'Only tasks with this tag.'),
  q: said(query.q, 'Only tasks whose title or description contains this text.'),
  limit: said(
    v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 20),
    'How many tasks per page, 1 to 100 [20].',
  ),
  cursor: said(query.cursor, 'next_cursor from the previous page.'),
});

export const TaskIdArgs = v.strictObject({ id: TaskId });

/** `update_task`: the task id and the fields of `PATCH /v1/tasks/{id}`. */
export const UpdateTaskArgs = v.strictObject({
  id: TaskId,
  title: said(changes.title, described.title),
  description: said(changes.description, described.description),
  status: said(changes.status, 'open or completed (use complete_task to complete).'),
  priority: said(changes.priority, described.priority),
  tags: said(changes.tags, 'The new tags (replace the old ones).'),
  due_at: said(changes.due_at, described.due_at),
  remind_at: said(changes.remind_at, described.remind_at),
  recurrence: said(changes.recurrence, described.recurrence),
  timezone: said(changes.timezone, 'The IANA zone the dates mean.'),
});

const [byMinutes, byInstant] = SnoozeSchema.options;
/** `snooze_task`: the task id and `minutes` from now or `until` (the body of `POST …/snooze`). */
export const SnoozeTaskArgs = v.strictObject({
  id: TaskId,
  minutes: said(v.optional(byMinutes.entries.minutes), 'Remind again this many minutes from now (1-43200).'),
  until: said(v.optional(byInstant.entries.until), 'Remind again at this instant (RFC 3339).'),
});

/** A page of tasks, as `GET /v1/tasks` answers it. */
export const TaskPageResult = v.object({
  items: v.array(TaskSchema),
  next_cursor: v.nullable(v.string()),
});
export const TaskResult = TaskSchema;
export const DeletedResult = v.object({ id: v.string(), deleted: v.literal(true) });
