import { PlainTextSchema, TaskSchema, TimeZoneSchema } from '@todo/events';
import * as v from 'valibot';

/** `POST /v1/chat` */
export const ChatRequestSchema = v.strictObject({
  message: v.pipe(PlainTextSchema, v.trim(), v.minLength(1, 'say something'), v.maxLength(1000)),
  /**
   * The user's IANA zone: dates like "friday 9am" are read in it. Left out: the zone the user
   * set once (`PUT /v1/preferences`), else UTC.
   */
  timezone: v.optional(TimeZoneSchema),
});
export type ChatRequest = v.InferOutput<typeof ChatRequestSchema>;

export const ChatActionSchema = v.object({
  type: v.picklist([
    'created',
    'listed',
    'completed',
    'deleted',
    'renamed',
    'rescheduled',
    'snoozed',
    'clarify',
    'help',
  ]),
  task_id: v.optional(v.string()),
});
export type ChatAction = v.InferOutput<typeof ChatActionSchema>;

export const ChatResponseSchema = v.object({
  reply: v.string(),
  actions: v.array(ChatActionSchema),
  tasks: v.array(TaskSchema),
});
