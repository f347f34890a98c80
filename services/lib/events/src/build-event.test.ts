import { describe, expect, it } from 'vitest';
import { buildEvent, EventContractError } from './build-event.ts';
import type { EventDataInput } from './event-types.ts';
import { isUuidV7 } from './ids.ts';
import { parseEvent } from './parse-event.ts';

const taskId = '019a7c3e-5b1f-7c2a-9d3e-4f5a6b7c8d9e';
const task: EventDataInput<'todo.task.created.v1'> = {
  id: taskId,
  user_id: 'user-1',
  title: 'Pay rent',
  description: null,
  status: 'open',
  priority: 'medium',
  tags: ['home'],
  due_at: '2026-12-04T09:00:00+01:00',
  remind_at: '2026-12-04T08:00:00Z',
  recurrence: 'none',
  timezone: 'Europe/Paris',
  version: 1,
  created_at: '2026-11-29T10:00:00Z',
  updated_at: '2026-11-29T10:00:00Z',
  completed_at: null,
};

describe('buildEvent', () => {
  it('fills the CloudEvent envelope and normalises times to UTC', () => {
    const { event, topic } = buildEvent({
      type: 'todo.task.created.v1',
      source: 'chat-api',
      subject: taskId,
      userid: 'user-1',
      correlationid: 'req-1',
      data: task,
      time: new Date('2026-11-29T10:00:00.123Z'),
    });
    expect(topic).toBe('task-events');
    expect(isUuidV7(event.id)).toBe(true);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'todo.task.created.v1',
      source: 'chat-api',
      subject: taskId,
      time: '2026-11-29T10:00:00.123Z',
      datacontenttype: 'application/json',
      correlationid: 'req-1',
      userid: 'user-1',
    });
    expect(event.data.due_at).toBe('2026-12-04T08:00:00.000Z');
  });

  it('refuses data that does not match the type schema', () => {
    expect(() =>
      buildEvent({
        type: 'todo.task.deleted.v1',
        source: 'chat-api',
        subject: taskId,
        userid: 'u',
        correlationid: 'c',
        data: { id: taskId, version: 0 },
      }),
    ).toThrow(EventContractError);
  });

  it('routes each type to its topic', () => {
    const base = { source: 'x', subject: taskId, userid: 'u', correlationid: 'c' };
    const at = '2026-11-29T10:00:00Z';
    expect(
      buildEvent({
        ...base,
        type: 'todo.task.changed.v1',
        data: { id: taskId, version: 2, op: 'updated', fields: ['title'], at },
      }).topic,
    ).toBe('task-updates');
    expect(
      buildEvent({
        ...base,
        type: 'todo.reminder.due.v1',
        data: {
          task_id: taskId,
          user_id: 'u',
          title: 't',
          due_at: null,
          remind_at: at,
          occurrence: at,
          fired_at: at,
        },
      }).topic,
    ).toBe('reminders');
  });
});

describe('parseEvent', () => {
  const built = buildEvent({
    type: 'todo.task.updated.v1',
    source: 'chat-api',
    subject: taskId,
    userid: 'user-1',
    correlationid: 'req-2',
    data: { id: taskId, version: 2, changes: { title: 'Pay the rent', remind_at: null } },
  }).event;

  it('reads back what buildEvent made, from JSON text, bytes or an object', () => {
    for (const raw of [JSON.stringify(built), Buffer.from(JSON.stringify(built)), built]) {
      const parsed = parseEvent(raw);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.event).toEqual(built);
    }
  });

  it('accepts the attributes Dapr adds on delivery', () => {
    const parsed = parseEvent({
      ...built,
      traceparent: '00-abc-def-01',
      topic: 'task-events',
      pubsubname: 'kafka-pubsub',
    });
    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['a missing id', { ...built, id: undefined }, /envelope/],
    ['an unknown type', { ...built, type: 'todo.task.exploded.v1' }, /unknown event type/],
    ['a bad version', { ...built, data: { ...built.data, version: -1 } }, /version/],
    [
      'an unknown changed field',
      { ...built, data: { ...built.data, changes: { owner: 'x' } } },
      /owner|key/i,
    ],
    ['an impossible date', { ...built, time: '2026-02-30T10:00:00Z' }, /real date/],
    ['a non-object', 42, /envelope/],
  ])('rejects %s with a reason', (_, raw, reason) => {
    const parsed = parseEvent(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('rejects a type the consumer does not accept', () => {
    const parsed = parseEvent(built, ['todo.reminder.due.v1']);
    expect(parsed).toEqual({ ok: false, reason: 'event type todo.task.updated.v1 is not accepted here' });
  });
});
