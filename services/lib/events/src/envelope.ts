import * as v from 'valibot';
import type { EventData, EventType } from './event-types.ts';
import { InstantSchema } from './time.ts';

/**
 * The CloudEvents 1.0 envelope every event travels in (`application/cloudevents+json`):
 * ours, not Dapr's. Dapr adds `traceparent`/`tracestate` (and some of its own attributes on
 * delivery), so the parser accepts extra attributes.
 */
const ENVELOPE = {
  specversion: v.literal('1.0'),
  id: v.pipe(v.string(), v.uuid()),
  type: v.string(),
  /** The producing app-id. */
  source: v.pipe(v.string(), v.minLength(1)),
  /** The task id: the Kafka key, so each task's events stay in order. */
  subject: v.pipe(v.string(), v.uuid()),
  time: InstantSchema,
  datacontenttype: v.literal('application/json'),
  /** The request that caused the event, carried through every hop. */
  correlationid: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  /** The user who owns the task. */
  userid: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  data: v.unknown(),
  traceparent: v.optional(v.string()),
  tracestate: v.optional(v.string()),
};

export const EnvelopeSchema = v.looseObject(ENVELOPE);

/**
 * An event of one type, as built by `buildEvent` and returned by `parseEvent`: the envelope's
 * schema with `type` and `data` narrowed to that type's.
 */
export type TodoEvent<T extends EventType = EventType> = Omit<
  v.InferOutput<v.ObjectSchema<typeof ENVELOPE, undefined>>,
  'type' | 'data'
> & { type: T; data: EventData<T> };

/** Any event, narrowed by its `type`. */
export type AnyTodoEvent = { [T in EventType]: TodoEvent<T> }[EventType];
