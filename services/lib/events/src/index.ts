/**
 * @todo/events: the event contracts of the todo-chatbot. Producers build every event with
 * `buildEvent`, consumers read every message with `parseEvent`; both go through the one valibot
 * schema per event type in `EVENT_TYPES`.
 */
export { type BuildEventInput, buildEvent, EventContractError } from './build-event.ts';
export { type AnyTodoEvent, EnvelopeSchema, type TodoEvent } from './envelope.ts';
export { EVENT_TYPES, type EventData, type EventDataInput, type EventType } from './event-types.ts';
export { deterministicId, isUuidV7, uuidv7 } from './ids.ts';
export { type ParseResult, parseEvent } from './parse-event.ts';
export {
  type Frequency,
  type ParsedRecurrence,
  parseRecurrence,
  type RecurrenceRule,
  type Weekday,
} from './recurrence-rule.ts';
export {
  DescriptionSchema,
  PrioritySchema,
  RecurrenceSchema,
  TagSchema,
  TagsSchema,
  type Task,
  type TaskChanges,
  TaskChangesSchema,
  TaskSchema,
  TaskStatusSchema,
  TitleSchema,
} from './task.ts';
export { hasNoControlCharacters, PlainTextSchema } from './text.ts';
export { InstantSchema, isRealInstant, isTimeZone, TimeZoneSchema } from './time.ts';
export { PUBSUB, TOPICS, type Topic } from './topics.ts';
