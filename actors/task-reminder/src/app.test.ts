import { buildEvent, deterministicId, type EventDataInput, type EventType, uuidv7 } from '@todo/events';
import { createSidecar } from '@todo/platform';
import { deliverTo, FAKE_APP_TOKEN, FAKE_SIDECAR_OPTIONS, fakeSidecar } from '@todo/platform/testing';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const USER = 'user-1';
let clock = new Date('2026-03-01T08:00:00.000Z');

function setup() {
  const app = createApp({
    appId: 'task-reminder',
    appApiToken: FAKE_APP_TOKEN,
    sidecar: createSidecar(FAKE_SIDECAR_OPTIONS),
    log: pino({ level: 'silent' }),
    runtime: { check: async () => true },
    now: () => clock,
  });
  const sidecar = fakeSidecar({ app });
  server.use(...sidecar.handlers);
  const deliver = (body: unknown, token: string | null = FAKE_APP_TOKEN) =>
    deliverTo(app, '/events/task-events', body, token);
  const fire = async (taskId: string, data: unknown) => {
    const res = await app.request(`/actors/TaskReminder/${taskId}/method/remind/due`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'dapr-api-token': FAKE_APP_TOKEN },
      body: JSON.stringify({ data, dueTime: '', period: '' }),
    });
    return res.status;
  };
  return { app, sidecar, deliver, fire };
}

function task(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    user_id: USER,
    title: 'water the plants',
    description: null,
    status: 'open' as const,
    priority: 'medium' as const,
    tags: [],
    due_at: '2026-03-01T10:00:00.000Z',
    remind_at: '2026-03-01T09:00:00.000Z',
    recurrence: 'none',
    timezone: 'Europe/Paris',
    version: 1,
    created_at: '2026-03-01T07:00:00.000Z',
    updated_at: '2026-03-01T07:00:00.000Z',
    completed_at: null,
    ...over,
  };
}

function ev<T extends EventType>(type: T, subject: string, data: EventDataInput<T>, userid = USER) {
  return buildEvent({ type, source: 'chat-api', subject, userid, correlationid: 'corr-1', data }).event;
}

const reminderPath = (id: string) => `/v1.0/actors/TaskReminder/${id}/reminders/due`;

describe('task-events subscription', () => {
  it('subscribes task-events programmatically with the dead-letter topic, behind the app token', async () => {
    const { app } = setup();
    expect((await app.request('/dapr/subscribe')).status).toBe(401);
    const res = await app.request('/dapr/subscribe', { headers: { 'dapr-api-token': FAKE_APP_TOKEN } });
    expect(await res.json()).toEqual([
      {
        pubsubname: 'kafka-pubsub',
        topic: 'task-events',
        route: '/events/task-events',
        deadLetterTopic: 'task-events-dlq',
        bulkSubscribe: { enabled: true, maxMessagesCount: 200, maxAwaitDurationMs: 20 },
      },
    ]);
  });

  it.each([
    ['not JSON', '{nope'],
    ['not a CloudEvent', { hello: 1 }],
    [
      'an unknown type',
      { ...ev('todo.task.deleted.v1', uuidv7(), { id: uuidv7(), version: 1 }), type: 'x.y' },
    ],
    [
      'a type this app does not take',
      ev('todo.task.changed.v1', uuidv7(), {
        id: uuidv7(),
        version: 1,
        op: 'created',
        fields: [],
        at: '2026-03-01T07:00:00Z',
      }),
    ],
  ])('answers DROP to %s and calls no actor', async (_, body) => {
    const { deliver, sidecar } = setup();
    expect(await deliver(body)).toEqual({ status: 200, body: { status: 'DROP' } });
    expect(sidecar.calls).toHaveLength(0);
  });

  it('answers 401 to a delivery without the app token', async () => {
    const { deliver } = setup();
    const id = uuidv7();
    expect((await deliver(ev('todo.task.created.v1', id, task(id)), null)).status).toBe(401);
  });

  it('invokes TaskReminder/<taskId>.apply through the sidecar with the event', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    const event = ev('todo.task.created.v1', id, task(id));
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'SUCCESS' } });
    const [invoke] = sidecar.callsTo(`/v1.0/actors/TaskReminder/${id}/method/apply`, 'PUT');
    expect(invoke?.body).toEqual(event);
  });

  it('answers RETRY when the actor call fails (here: the sidecar refuses the token)', async () => {
    setup();
    const id = uuidv7();
    const failing = createApp({
      appId: 'task-reminder',
      appApiToken: FAKE_APP_TOKEN,
      sidecar: createSidecar({ ...FAKE_SIDECAR_OPTIONS, apiToken: 'wrong-token-0123456789' }),
      runtime: { check: async () => true },
      log: pino({ level: 'silent' }),
    });
    const res = await failing.request('/events/task-events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': FAKE_APP_TOKEN },
      body: JSON.stringify(ev('todo.task.created.v1', id, task(id))),
    });
    expect(await res.json()).toEqual({ status: 'RETRY' });
  });
});

describe('TaskReminder: keeping the reminder where the task says', () => {
  it('registers `due` at remind_at (RFC 3339 UTC, no period) with the occurrence as data', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    const puts = sidecar.callsTo(reminderPath(id), 'PUT');
    expect(puts.map((p) => p.body)).toEqual([
      { dueTime: '2026-03-01T09:00:00.000Z', data: { occurrence: '2026-03-01T09:00:00.000Z' } },
    ]);
    expect(puts[0]?.headers.get('dapr-api-token')).toBe(FAKE_SIDECAR_OPTIONS.apiToken);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({
      version: 1,
      user_id: USER,
      next: '2026-03-01T09:00:00.000Z',
      next_index: 1,
      status: 'open',
    });
  });

  it('moves it on reschedule, and ignores the same event again and an older version', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    const created = ev('todo.task.created.v1', id, task(id));
    await deliver(created);
    await deliver(
      ev('todo.task.updated.v1', id, { id, version: 2, changes: { remind_at: '2026-03-01T09:30:00Z' } }),
    );
    await deliver(created);
    await deliver(
      ev('todo.task.updated.v1', id, { id, version: 2, changes: { remind_at: '2026-03-01T09:45:00Z' } }),
    );
    expect(
      sidecar.callsTo(reminderPath(id), 'PUT').map((p) => (p.body as { dueTime: string }).dueTime),
    ).toEqual(['2026-03-01T09:00:00.000Z', '2026-03-01T09:30:00.000Z']);
    expect(sidecar.reminders.get(`TaskReminder/${id}/due`)?.dueTime).toBe('2026-03-01T09:30:00.000Z');
  });

  it('keeps the reminder on an update that does not touch it', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(ev('todo.task.updated.v1', id, { id, version: 2, changes: { title: 'feed the cat' } }));
    expect(sidecar.callsTo(reminderPath(id), 'PUT')).toHaveLength(1);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({
      version: 2,
      title: 'feed the cat',
    });
  });

  it('re-registers on todo.task.announced.v1 at the applied version (the reminder sweep)', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(
      ev('todo.task.announced.v1', id, {
        ...task(id),
        next_occurrence: { at: '2026-03-01T09:00:00.000Z', index: 1 },
      }),
    );
    expect(sidecar.callsTo(reminderPath(id), 'PUT')).toHaveLength(2);
  });

  it.each([
    ['completion', 'todo.task.completed.v1' as const, { completed_at: '2026-03-01T08:30:00Z' }],
    ['deletion', 'todo.task.deleted.v1' as const, {}],
  ])('deletes it on %s, and a stale event afterwards cannot bring it back', async (_, type, extra) => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(ev(type, id, { id, version: 2, ...extra } as EventDataInput<typeof type>));
    await deliver(
      ev('todo.task.updated.v1', id, { id, version: 1, changes: { remind_at: '2026-03-01T11:00:00Z' } }),
    );
    expect(sidecar.callsTo(reminderPath(id), 'DELETE')).toHaveLength(1);
    expect(sidecar.callsTo(reminderPath(id), 'PUT')).toHaveLength(1);
    expect(sidecar.reminders.has(`TaskReminder/${id}/due`)).toBe(false);
  });

  it('deletes it when remind_at is cleared, and registers none for a task without one', async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(ev('todo.task.updated.v1', id, { id, version: 2, changes: { remind_at: null } }));
    expect(sidecar.callsTo(reminderPath(id), 'DELETE')).toHaveLength(1);
    const other = uuidv7();
    await deliver(ev('todo.task.created.v1', other, task(other, { remind_at: null })));
    expect(sidecar.callsTo(reminderPath(other))).toHaveLength(0);
  });

  it("ignores an event whose user is not the task's", async () => {
    const { deliver, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(
      ev('todo.task.updated.v1', id, { id, version: 2, changes: { remind_at: null } }, 'someone-else'),
    );
    expect(sidecar.callsTo(reminderPath(id), 'DELETE')).toHaveLength(0);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({ version: 1 });
  });
});

describe('TaskReminder: the reminder firing', () => {
  it('publishes ReminderDue to reminders, keyed by the task, with the deterministic id', async () => {
    const { deliver, fire, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    clock = new Date('2026-03-01T09:00:00.120Z');
    expect(await fire(id, { occurrence: '2026-03-01T09:00:00.000Z' })).toBe(200);
    const [publish] = sidecar.publishedTo('reminders');
    expect(publish?.partitionKey).toBe(id);
    expect(publish?.contentType).toBe('application/cloudevents+json');
    expect(publish?.event).toMatchObject({
      id: deterministicId('reminder', id, '2026-03-01T09:00:00.000Z'),
      type: 'todo.reminder.due.v1',
      source: 'task-reminder',
      subject: id,
      userid: USER,
      correlationid: 'corr-1',
      data: {
        task_id: id,
        user_id: USER,
        title: 'water the plants',
        due_at: '2026-03-01T10:00:00.000Z',
        remind_at: '2026-03-01T09:00:00.000Z',
        occurrence: '2026-03-01T09:00:00.000Z',
        fired_at: '2026-03-01T09:00:00.120Z',
      },
    });
    // One-shot: nothing registered after it, and no state write for it: the actor keeps that it
    // fired in memory (the store still names the occurrence), so the same firing again publishes
    // nothing.
    expect(sidecar.callsTo(reminderPath(id), 'PUT')).toHaveLength(1);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({
      next: '2026-03-01T09:00:00.000Z',
    });
    expect(await fire(id, { occurrence: '2026-03-01T09:00:00.000Z' })).toBe(200);
    expect(sidecar.publishedTo('reminders')).toHaveLength(1);
  });

  it('registers the next occurrence of a recurring task after publishing', async () => {
    const { deliver, fire, sidecar } = setup();
    const id = uuidv7();
    const start = '2026-03-01T09:00:00.000Z';
    await deliver(ev('todo.task.created.v1', id, task(id, { recurrence: 'RRULE:FREQ=SECONDLY;COUNT=3' })));
    clock = new Date('2026-03-01T09:00:00.050Z');
    await fire(id, { occurrence: start });
    clock = new Date('2026-03-01T09:00:01.050Z');
    await fire(id, { occurrence: '2026-03-01T09:00:01.000Z' });
    clock = new Date('2026-03-01T09:00:02.050Z');
    await fire(id, { occurrence: '2026-03-01T09:00:02.000Z' });
    expect(sidecar.callsTo(reminderPath(id), 'PUT').map((p) => p.body)).toEqual([
      { dueTime: start, data: { occurrence: start } },
      { dueTime: '2026-03-01T09:00:01.000Z', data: { occurrence: '2026-03-01T09:00:01.000Z' } },
      { dueTime: '2026-03-01T09:00:02.000Z', data: { occurrence: '2026-03-01T09:00:02.000Z' } },
    ]);
    const published = sidecar.publishedTo('reminders').map((m) => m.event.id);
    expect(published).toEqual(
      ['09:00:00', '09:00:01', '09:00:02'].map((t) =>
        deterministicId('reminder', id, `2026-03-01T${t}.000Z`),
      ),
    );
  });

  it('re-arms with backoff and answers 200 when publishing fails, then publishes on the retry', async () => {
    const { deliver, fire, sidecar } = setup();
    const id = uuidv7();
    const occurrence = '2026-03-01T09:00:00.000Z';
    await deliver(ev('todo.task.created.v1', id, task(id)));
    sidecar.publishStatus = 500;
    clock = new Date('2026-03-01T09:00:00.000Z');
    expect(await fire(id, { occurrence })).toBe(200);
    clock = new Date('2026-03-01T09:00:01.000Z');
    expect(await fire(id, { occurrence })).toBe(200);
    expect(sidecar.callsTo(reminderPath(id), 'PUT').map((p) => p.body)).toEqual([
      { dueTime: occurrence, data: { occurrence } },
      { dueTime: '2026-03-01T09:00:01.000Z', data: { occurrence } },
      { dueTime: '2026-03-01T09:00:03.000Z', data: { occurrence } },
    ]);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({
      attempts: 2,
      next: occurrence,
    });
    sidecar.publishStatus = 204;
    expect(await fire(id, { occurrence })).toBe(200);
    expect(sidecar.state.get(`TaskReminder/${id}`)?.get('task')).toMatchObject({ attempts: 0, next: null });
    const ids = sidecar.publishedTo('reminders').map((m) => m.event.id);
    expect(new Set(ids)).toEqual(new Set([deterministicId('reminder', id, occurrence)]));
  });

  it('publishes nothing for a firing of an occurrence that was moved or completed meanwhile', async () => {
    const { deliver, fire, sidecar } = setup();
    const id = uuidv7();
    await deliver(ev('todo.task.created.v1', id, task(id)));
    await deliver(
      ev('todo.task.updated.v1', id, { id, version: 2, changes: { remind_at: '2026-03-01T09:30:00Z' } }),
    );
    expect(await fire(id, { occurrence: '2026-03-01T09:00:00.000Z' })).toBe(200);
    await deliver(ev('todo.task.completed.v1', id, { id, version: 3, completed_at: '2026-03-01T09:10:00Z' }));
    expect(await fire(id, { occurrence: '2026-03-01T09:30:00.000Z' })).toBe(200);
    expect(sidecar.callsTo('/v1.0/publish')).toHaveLength(0);
  });
});

describe('health', () => {
  it('answers /healthz without a token and /readyz from the sidecar', async () => {
    const { app } = setup();
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('is not ready while the actor runtime is not (a placement restart), and says why; /healthz stays 200', async () => {
    setup();
    const app = createApp({
      appId: 'task-reminder',
      appApiToken: FAKE_APP_TOKEN,
      sidecar: createSidecar(FAKE_SIDECAR_OPTIONS),
      log: pino({ level: 'silent' }),
      runtime: { check: async () => 'actor runtime not ready (placement: disconnected)' },
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'dependency_unavailable',
      checks: { sidecar: true, actors: 'actor runtime not ready (placement: disconnected)' },
    });
    expect((await app.request('/healthz')).status).toBe(200);
  });
});
