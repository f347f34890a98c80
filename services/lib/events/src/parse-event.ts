import * as v from 'valibot';
import { type AnyTodoEvent, EnvelopeSchema } from './envelope.ts';
import { EVENT_TYPES, type EventType } from './event-types.ts';

export type ParseResult<E = AnyTodoEvent> =
  | { ok: true; event: E }
  | {
      ok: false;
      /** Why, with the failing field's path: what the consumer logs before answering DROP. */
      reason: string;
    };

function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_TYPES, type);
}

/**
 * Parses whatever a consumer received: a JSON string, bytes or an object. Never throws: a
 * message that is not one of our events comes back `{ ok: false, reason }`, and the consumer
 * answers DROP so it lands in the dead-letter topic.
 *
 * @example
 * const parsed = parseEvent(await c.req.text(), ['todo.task.created.v1', 'todo.task.updated.v1']);
 * if (!parsed.ok) return c.json({ status: 'DROP' });
 */
export function parseEvent<T extends EventType = EventType>(
  raw: unknown,
  accept?: readonly T[],
): ParseResult<Extract<AnyTodoEvent, { type: T }>> {
  let value = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
    } catch {
      return { ok: false, reason: 'body is not JSON' };
    }
  }
  const envelope = v.safeParse(EnvelopeSchema, value);
  if (!envelope.success) return { ok: false, reason: `envelope: ${v.summarize(envelope.issues)}` };
  const { type } = envelope.output;
  if (!isEventType(type))
    return { ok: false, reason: `unknown event type ${JSON.stringify(type).slice(0, 100)}` };
  if (accept && !(accept as readonly string[]).includes(type)) {
    return { ok: false, reason: `event type ${type} is not accepted here` };
  }
  const data = v.safeParse(EVENT_TYPES[type].data as v.GenericSchema, envelope.output.data);
  if (!data.success) return { ok: false, reason: `${type} data: ${v.summarize(data.issues)}` };
  return { ok: true, event: { ...envelope.output, data: data.output } as Extract<AnyTodoEvent, { type: T }> };
}
