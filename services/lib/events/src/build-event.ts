import * as v from 'valibot';
import type { TodoEvent } from './envelope.ts';
import { EVENT_TYPES, type EventDataInput, type EventType } from './event-types.ts';
import { uuidv7 } from './ids.ts';
import type { Topic } from './topics.ts';

export interface BuildEventInput<T extends EventType> {
  type: T;
  /** The producing app-id. */
  source: string;
  /** The task id. */
  subject: string;
  userid: string;
  correlationid: string;
  data: EventDataInput<T>;
  /** Defaults to a new UUIDv7; ReminderDue passes a deterministic id. */
  id?: string;
  /** Defaults to now. */
  time?: Date;
}

/** A producer tried to build an event its own schema rejects: a bug, never user input. */
export class EventContractError extends Error {
  readonly type: string;
  readonly issues: string;
  constructor(type: string, issues: string) {
    super(`event ${type} does not match its schema: ${issues}`);
    this.name = 'EventContractError';
    this.type = type;
    this.issues = issues;
  }
}

/**
 * Builds an event the only allowed way: the data is validated against its type's schema, the
 * envelope filled in. Returns the event and the topic it belongs to.
 *
 * @example
 * const { event, topic } = buildEvent({ type: 'todo.task.deleted.v1', source: 'chat-api',
 *   subject: task.id, userid: task.user_id, correlationid, data: { id: task.id, version: 4 } });
 */
export function buildEvent<T extends EventType>(
  input: BuildEventInput<T>,
): { event: TodoEvent<T>; topic: Topic } {
  const spec = EVENT_TYPES[input.type];
  const parsed = v.safeParse(spec.data as v.GenericSchema, input.data);
  if (!parsed.success) throw new EventContractError(input.type, v.summarize(parsed.issues));
  const event = {
    specversion: '1.0',
    id: input.id ?? uuidv7(),
    type: input.type,
    source: input.source,
    subject: input.subject,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    correlationid: input.correlationid,
    userid: input.userid,
    data: parsed.output,
  } as TodoEvent<T>;
  return { event, topic: spec.topic };
}
