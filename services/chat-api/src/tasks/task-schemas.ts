import {
  DescriptionSchema,
  InstantSchema,
  PlainTextSchema,
  PrioritySchema,
  RecurrenceSchema,
  TagSchema,
  TagsSchema,
  TaskStatusSchema,
  TimeZoneSchema,
  TitleSchema,
} from '@todo/events';
import * as v from 'valibot';

/** The fields of `POST /v1/tasks`, without the cross-field check (the MCP tools build on them). */
export const CreateTaskFields = v.strictObject({
  title: TitleSchema,
  description: v.optional(v.nullable(DescriptionSchema), null),
  priority: v.optional(PrioritySchema, 'medium'),
  tags: v.optional(TagsSchema, []),
  due_at: v.optional(v.nullable(InstantSchema), null),
  remind_at: v.optional(v.nullable(InstantSchema), null),
  recurrence: v.optional(RecurrenceSchema, 'none'),
  timezone: v.optional(TimeZoneSchema, 'UTC'),
});

/** `POST /v1/tasks` */
export const CreateTaskSchema = v.pipe(
  CreateTaskFields,
  v.forward(
    v.partialCheck(
      [['recurrence'], ['remind_at']],
      (input) => input.recurrence === 'none' || Boolean(input.remind_at),
      'a recurring task needs remind_at: its first occurrence',
    ),
    ['remind_at'],
  ),
);
export type CreateTaskInput = v.InferOutput<typeof CreateTaskSchema>;

/** The fields of `PATCH /v1/tasks/{id}`, without the at-least-one check. */
export const PatchTaskFields = v.strictObject({
  title: v.optional(TitleSchema),
  description: v.optional(v.nullable(DescriptionSchema)),
  status: v.optional(TaskStatusSchema),
  priority: v.optional(PrioritySchema),
  tags: v.optional(TagsSchema),
  due_at: v.optional(v.nullable(InstantSchema)),
  remind_at: v.optional(v.nullable(InstantSchema)),
  recurrence: v.optional(RecurrenceSchema),
  timezone: v.optional(TimeZoneSchema),
});

/** `PATCH /v1/tasks/{id}`: any of the fields; `null` clears a nullable one. */
export const PatchTaskSchema = v.pipe(
  PatchTaskFields,
  v.check((input) => Object.keys(input).length > 0, 'send at least one field to change'),
);
export type PatchTaskInput = v.InferOutput<typeof PatchTaskSchema>;

/** `POST /v1/tasks/{id}/snooze`: `{ minutes }` from now, or `{ until }`. */
export const SnoozeSchema = v.union(
  [
    v.strictObject({ minutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60 * 24 * 30)) }),
    v.strictObject({ until: InstantSchema }),
  ],
  'send { "minutes": 1..43200 } or { "until": "<RFC 3339 date-time>" }',
);
export type SnoozeInput = v.InferOutput<typeof SnoozeSchema>;

export const TaskIdParamSchema = v.object({ id: v.pipe(v.string(), v.uuid('must be a task id (UUID)')) });

const Limit = v.pipe(
  v.string(),
  v.regex(/^\d{1,3}$/, 'must be an integer from 1 to 100'),
  v.transform(Number),
  v.minValue(1),
  v.maxValue(100),
);

/** `GET /v1/tasks` filters; every one optional. */
export const ListTasksQuerySchema = v.strictObject({
  status: v.optional(TaskStatusSchema),
  due_before: v.optional(InstantSchema),
  due_after: v.optional(InstantSchema),
  tag: v.optional(TagSchema),
  q: v.optional(v.pipe(PlainTextSchema, v.trim(), v.minLength(1), v.maxLength(200))),
  limit: v.optional(Limit, '20'),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export type ListTasksQuery = v.InferOutput<typeof ListTasksQuerySchema>;
