import * as v from 'valibot';
import { parseRecurrence } from './recurrence-rule.ts';
import { PlainTextSchema } from './text.ts';
import { InstantSchema, TimeZoneSchema } from './time.ts';

export const TaskStatusSchema = v.picklist(['open', 'completed']);
export const PrioritySchema = v.picklist(['low', 'medium', 'high']);

export const RecurrenceSchema = v.pipe(
  v.string(),
  v.maxLength(200),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const parsed = parseRecurrence(dataset.value);
    if (!parsed.ok) addIssue({ message: `recurrence ${parsed.message}` });
  }),
);

export const TitleSchema = v.pipe(
  PlainTextSchema,
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(500),
);
export const DescriptionSchema = v.pipe(PlainTextSchema, v.maxLength(10_000));
export const TagSchema = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[\p{L}\p{N}_-]{1,40}$/u, 'must be 1-40 letters, digits, - or _'),
);
export const TagsSchema = v.pipe(
  v.array(TagSchema),
  v.maxLength(20),
  v.transform((tags) => [...new Set(tags)]),
);

/** A task as the API answers it and as `todo.task.created.v1` carries it. */
export const TaskSchema = v.object({
  id: v.pipe(v.string(), v.uuid()),
  user_id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  title: TitleSchema,
  description: v.nullable(DescriptionSchema),
  status: TaskStatusSchema,
  priority: PrioritySchema,
  tags: TagsSchema,
  due_at: v.nullable(InstantSchema),
  remind_at: v.nullable(InstantSchema),
  recurrence: RecurrenceSchema,
  timezone: TimeZoneSchema,
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  created_at: InstantSchema,
  updated_at: InstantSchema,
  completed_at: v.nullable(InstantSchema),
});
export type Task = v.InferOutput<typeof TaskSchema>;

/** The fields a write may change, as `todo.task.updated.v1` lists them: the task's own schemas. */
export const TaskChangesSchema = v.partial(
  v.strictObject(
    v.pick(TaskSchema, [
      'title',
      'description',
      'status',
      'priority',
      'tags',
      'due_at',
      'remind_at',
      'recurrence',
      'timezone',
      'completed_at',
    ]).entries,
  ),
);
export type TaskChanges = v.InferOutput<typeof TaskChangesSchema>;
