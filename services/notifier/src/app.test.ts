import { createHmac } from 'node:crypto';
import { buildEvent, deterministicId, uuidv7 } from '@todo/events';
import { createSidecar, signStreamToken, signUserToken } from '@todo/platform';
import { deliverTo, FAKE_APP_TOKEN, FAKE_SIDECAR_OPTIONS, fakeSidecar } from '@todo/platform/testing';
import { createTestDatabase } from '@todo/platform/testing-db';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { NOTIFIER_MIGRATIONS } from './db/migrations.ts';
import { createPgStore } from './db/pg-store.ts';
import type { Database } from './db/schema.ts';
import { createWebhookDelivery, type DeliveryPolicy, daprBindingBody } from './webhook-delivery.ts';

const APP_TOKEN = FAKE_APP_TOKEN;
const DAPR_TOKEN = FAKE_SIDECAR_OPTIONS.apiToken;
const SECRET = 'a-test-secret-that-is-at-least-32-chars';
const SIGNING_SECRET = `whsec_${Buffer.from('a webhook signing key of 32 bytes').toString('base64')}`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
// One in-process database for the file (starting PGlite takes a while); each test starts empty.
let database: Awaited<ReturnType<typeof createTestDatabase<Database>>>;
beforeAll(async () => {
  database = await createTestDatabase<Database>({ app: 'notifier', migrations: NOTIFIER_MIGRATIONS });
});
afterAll(() => database.close());

interface BindingCall {
  body: { operation: string; data: Record<string, unknown>; metadata: Record<string, string> };
  token: string | null;
}

async function setup(
  webhookStatus: number | ((n: number) => number) = 200,
  policy: Partial<DeliveryPolicy> = {},
  extra: Partial<Parameters<typeof createApp>[0]> = {},
) {
  const fake = fakeSidecar({ appId: 'notifier' });
  let calls = 0;
  fake.bindingStatus = () => (typeof webhookStatus === 'number' ? webhookStatus : webhookStatus(++calls));
  server.use(...fake.handlers);
  const bindingCalls = (): BindingCall[] =>
    fake.callsTo('/v1.0/bindings/notify-webhook', 'POST').map((c) => ({
      body: c.body as BindingCall['body'],
      token: c.headers.get('dapr-api-token'),
    }));
  const { db } = database;
  await db.deleteFrom('notifier_notifications').execute();
  const store = createPgStore(db);
  const rows = () => db.selectFrom('notifier_notifications').selectAll().orderBy('seq').execute();
  const log = pino({ level: 'silent' });
  const sidecar = createSidecar(FAKE_SIDECAR_OPTIONS);
  const delivery = createWebhookDelivery({
    sidecar,
    store,
    log,
    policy: { baseDelayMs: 0, ...policy },
    signingSecret: SIGNING_SECRET,
  });
  const app = createApp({
    appApiToken: APP_TOKEN,
    auth: { secret: SECRET },
    store,
    sidecar,
    delivery,
    log,
    heartbeatMs: 50,
    databaseReady: async () => true,
    ...extra,
  });
  const deliver = (body: unknown, token: string | null = APP_TOKEN) =>
    deliverTo(app, '/events/reminders', body, token);
  const deliverTaskUpdate = (body: unknown) => deliverTo(app, '/events/task-updates', body, APP_TOKEN);
  return { app, store, rows, delivery, bindingCalls, deliver, deliverTaskUpdate };
}

async function bearer(sub: string) {
  return `Bearer ${await signUserToken({ secret: SECRET, sub, ttlSeconds: 600 })}`;
}

function reminderDue(userId = 'user-1', occurrence = '2026-03-01T09:00:00.000Z', taskId = uuidv7()) {
  return buildEvent({
    type: 'todo.reminder.due.v1',
    id: deterministicId('reminder', taskId, occurrence),
    source: 'task-reminder',
    subject: taskId,
    userid: userId,
    correlationid: 'corr-1',
    data: {
      task_id: taskId,
      user_id: userId,
      title: 'water the plants',
      due_at: null,
      remind_at: '2026-03-01T09:00:00.000Z',
      occurrence,
      fired_at: '2026-03-01T09:00:00.050Z',
    },
  }).event;
}

describe('the reminders subscription', () => {
  it('stores a ReminderDue once per event id: a duplicate is a no-op SUCCESS', async () => {
    const { deliver, rows, delivery, bindingCalls } = await setup();
    const event = reminderDue();
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'SUCCESS' } });
    expect(await deliver(event)).toEqual({ status: 200, body: { status: 'SUCCESS' } });
    await delivery.drain();
    expect(await rows()).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({
      id: event.id,
      user_id: 'user-1',
      delivery_status: 'delivered',
    });
    expect(bindingCalls()).toHaveLength(1);
  });

  it('stores a bulk delivery in one INSERT: each entry answered, a repeat within it a duplicate', async () => {
    const batches: number[] = [];
    const base = createPgStore(database.db);
    const store = {
      ...base,
      insertMany: (ns: Parameters<typeof base.insertMany>[0]) => {
        batches.push(ns.length);
        return base.insertMany(ns);
      },
    };
    const { app, rows } = await setup(200, {}, { store });
    const [a, b, c] = [reminderDue('u1'), reminderDue('u2'), reminderDue('u3')];
    const entries = [a, b, c, a].map((event, i) => ({ entryId: `e${i}`, event }));
    const res = await deliverTo(app, '/events/reminders', { entries }, APP_TOKEN);
    expect(res.body).toEqual({
      statuses: expect.arrayContaining(
        ['e0', 'e1', 'e2', 'e3'].map((entryId) => ({ entryId, status: 'SUCCESS' })),
      ),
    });
    expect((await rows()).map((r) => r.id).sort()).toEqual([a.id, b.id, c.id].sort());
    // The three tasks side by side in one statement; the repeat of `a` (after `a`, its subject's
    // order) in a second one, where it is a duplicate.
    expect(batches).toEqual([3, 1]);
  });

  it('posts the notification as JSON through notify-webhook, with its id as a header', async () => {
    const { deliver, delivery, bindingCalls } = await setup();
    const event = reminderDue();
    await deliver(event);
    await delivery.drain();
    expect(bindingCalls()[0]?.token).toBe(DAPR_TOKEN);
    expect(bindingCalls()[0]?.body).toEqual({
      operation: 'post',
      data: {
        type: 'reminder.due',
        id: event.id,
        user_id: 'user-1',
        task_id: event.subject,
        title: 'water the plants',
        due_at: null,
        remind_at: '2026-03-01T09:00:00.000Z',
        occurrence: '2026-03-01T09:00:00.000Z',
        fired_at: '2026-03-01T09:00:00.050Z',
      },
      metadata: expect.objectContaining({
        'Content-Type': 'application/json',
        'X-Notification-Id': event.id,
      }),
    });
  });

  it('signs each body the Standard Webhooks way: an HMAC over id, timestamp and the exact body', async () => {
    const { deliver, delivery, bindingCalls } = await setup();
    const event = reminderDue();
    await deliver(event);
    await delivery.drain();
    const [call] = bindingCalls();
    const meta = call?.body.metadata ?? {};
    // Dapr's HTTP binding turns only metadata keys starting with a capital letter into headers.
    expect(Object.keys(meta).filter((k) => !/^[A-Z]/.test(k))).toEqual([]);
    expect(meta['Webhook-Id']).toBe(event.id);
    expect(Number(meta['Webhook-Timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
    // What a receiver computes from what it received (daprd posts `data` as the body).
    const body = daprBindingBody(call?.body.data);
    const key = Buffer.from(SIGNING_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${event.id}.${meta['Webhook-Timestamp']}.${body}`)
      .digest('base64');
    expect(meta['Webhook-Signature']).toBe(`v1,${expected}`);
    // A positive control for the check itself: another body does not verify.
    const forged = createHmac('sha256', key)
      .update(`${event.id}.${meta['Webhook-Timestamp']}.{}`)
      .digest('base64');
    expect(meta['Webhook-Signature']).not.toBe(`v1,${forged}`);
  });

  it('marks the notification failed when the webhook keeps failing, and still lists it', async () => {
    const { app, deliver, delivery, bindingCalls } = await setup(500, { maxAttempts: 3 });
    const event = reminderDue();
    expect((await deliver(event)).body).toEqual({ status: 'SUCCESS' });
    await delivery.drain();
    const res = await app.request('/v1/notifications', {
      headers: { authorization: await bearer('user-1') },
    });
    const list = (await res.json()) as { items: { id: string; delivery: { status: string } }[] };
    expect(list.items.map((i) => [i.id, i.delivery.status])).toEqual([[event.id, 'failed']]);
    expect(bindingCalls()).toHaveLength(3);
  });

  it('retries a failing webhook with backoff until it takes the notification, once', async () => {
    const { deliver, delivery, bindingCalls, rows } = await setup((n) => (n <= 2 ? 503 : 200));
    const event = reminderDue();
    await deliver(event);
    await delivery.drain();
    expect(bindingCalls().map((c) => c.body.data.id)).toEqual([event.id, event.id, event.id]);
    expect((await rows())[0]).toMatchObject({
      delivery_status: 'delivered',
      delivery_attempts: 3,
      delivery_error: null,
    });
  });

  it('records a failed attempt as a code, never with the webhook URL daprd reports', async () => {
    const { deliver, delivery, rows } = await setup(502, { maxAttempts: 1 });
    await deliver(reminderDue());
    await delivery.drain();
    expect((await rows())[0]).toMatchObject({
      delivery_status: 'failed',
      delivery_error: 'webhook_status_502',
    });
  });

  it('delivers a notification stored before a crash, when its event is delivered again', async () => {
    // The first delivery stored it and the process died before posting (no drain).
    const { deliver, delivery, bindingCalls } = await setup();
    const event = reminderDue();
    await deliver(event);
    expect(bindingCalls()).toHaveLength(0);
    expect((await deliver(event)).body).toEqual({ status: 'SUCCESS' });
    await delivery.drain();
    expect(bindingCalls().map((c) => c.body.data.id)).toEqual([event.id]);
  });

  it('claims a delivery again once the lease of a process that died holding it runs out', async () => {
    const { deliver, store } = await setup();
    const held = reminderDue();
    await deliver(held);
    expect((await store.claimDeliveries(10, 60_000)).map((n) => n.id)).toEqual([held.id]);
    // Leased: no other replica gets it while the lease runs.
    expect(await store.claimDeliveries(10, 60_000)).toEqual([]);
    // A lease that ran out (its holder died mid-delivery) makes it claimable again.
    const dropped = reminderDue('user-1', '2026-03-01T09:05:00.000Z');
    await deliver(dropped);
    expect((await store.claimDeliveries(10, 0)).map((n) => n.id)).toEqual([dropped.id]);
    expect((await store.claimDeliveries(10, 60_000)).map((n) => n.id)).toEqual([dropped.id]);
  });

  it.each([
    ['not JSON', '{x'],
    ['another event type', { ...reminderDue(), type: 'todo.task.deleted.v1' }],
    [
      'a ReminderDue without its occurrence',
      { ...reminderDue(), data: { ...reminderDue().data, occurrence: undefined } },
    ],
    ['an envelope user that is not the data user', { ...reminderDue(), userid: 'someone-else' }],
  ])('answers DROP to %s and stores nothing', async (_, body) => {
    const { deliver, rows } = await setup();
    expect(await deliver(body)).toEqual({ status: 200, body: { status: 'DROP' } });
    expect(await rows()).toHaveLength(0);
  });

  it('answers 401 without the app token', async () => {
    const { deliver } = await setup();
    expect((await deliver(reminderDue(), null)).status).toBe(401);
    expect((await deliver(reminderDue(), 'wrong')).status).toBe(401);
  });

  it('subscribes reminders (with its dead-letter topic) and task-updates programmatically', async () => {
    const { app } = await setup();
    const res = await app.request('/dapr/subscribe', { headers: { 'dapr-api-token': APP_TOKEN } });
    expect(await res.json()).toEqual([
      {
        pubsubname: 'kafka-pubsub',
        topic: 'reminders',
        route: '/events/reminders',
        deadLetterTopic: 'reminders-dlq',
        bulkSubscribe: { enabled: true, maxMessagesCount: 200, maxAwaitDurationMs: 20 },
      },
      {
        pubsubname: 'kafka-pubsub',
        topic: 'task-updates',
        route: '/events/task-updates',
        bulkSubscribe: { enabled: true, maxMessagesCount: 200, maxAwaitDurationMs: 20 },
      },
    ]);
  });
});

describe('GET /v1/notifications', () => {
  it("lists only the caller's notifications, newest first, a page at a time", async () => {
    const { app, deliver } = await setup();
    const mine = [];
    for (let i = 0; i < 5; i++) {
      const e = reminderDue('user-1', `2026-03-01T09:0${i}:00.000Z`);
      mine.push(e.id);
      await deliver(e);
    }
    await deliver(reminderDue('user-2'));
    const auth = { authorization: await bearer('user-1') };
    const first = (await (await app.request('/v1/notifications?limit=2', { headers: auth })).json()) as {
      items: { id: string }[];
      next_cursor: string | null;
    };
    expect(first.items.map((i) => i.id)).toEqual([mine[4], mine[3]]);
    const seen = [...first.items.map((i) => i.id)];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = (await (
        await app.request(`/v1/notifications?limit=2&cursor=${cursor}`, { headers: auth })
      ).json()) as {
        items: { id: string }[];
        next_cursor: string | null;
      };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    }
    expect(seen).toEqual([...mine].reverse());
  });

  it('filters unread ones, and marking read is idempotent and per user', async () => {
    const { app, deliver } = await setup();
    const a = reminderDue('user-1', '2026-03-01T09:00:00.000Z');
    const b = reminderDue('user-1', '2026-03-01T09:01:00.000Z');
    await deliver(a);
    await deliver(b);
    const auth = { authorization: await bearer('user-1') };
    const read = await app.request(`/v1/notifications/${a.id}/read`, { method: 'POST', headers: auth });
    expect(read.status).toBe(200);
    const readAt = ((await read.json()) as { read_at: string }).read_at;
    expect(readAt).toMatch(/^\d{4}-/);
    const again = await app.request(`/v1/notifications/${a.id}/read`, { method: 'POST', headers: auth });
    expect(((await again.json()) as { read_at: string }).read_at).toBe(readAt);
    const unread = (await (await app.request('/v1/notifications?unread=true', { headers: auth })).json()) as {
      items: { id: string }[];
    };
    expect(unread.items.map((i) => i.id)).toEqual([b.id]);
    const other = await app.request(`/v1/notifications/${b.id}/read`, {
      method: 'POST',
      headers: { authorization: await bearer('user-2') },
    });
    expect(other.status).toBe(404);
  });

  it('answers problem+json 400 with the field path for a bad query, and 401 without a token', async () => {
    const { app } = await setup();
    const auth = { authorization: await bearer('user-1') };
    const bad = await app.request('/v1/notifications?limit=1000&unread=maybe', { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const body = (await bad.json()) as { code: string; errors: { path: string }[] };
    expect(body.code).toBe('invalid_request');
    expect(body.errors.map((e) => e.path).sort()).toEqual(['query.limit', 'query.unread']);
    expect((await app.request('/v1/notifications?cursor=bm9wZQ', { headers: auth })).status).toBe(400);
    expect((await app.request('/v1/notifications')).status).toBe(401);
  });
});

/** Reads SSE frames from a response until `count` events arrived (or the time is up). */
async function readEvents(res: Response, count: number, timeoutMs = 2_000) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  const events = () =>
    text
      .split('\n\n')
      .filter((f) => f.includes('event: notification'))
      .map((f) => ({
        id: /^id: (.*)$/m.exec(f)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(f)?.[1] ?? 'null') as { id: string },
      }));
  while (events().length < count && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value: undefined }>((r) =>
        setTimeout(() => r({ done: true, value: undefined }), 200),
      ),
    ]);
    if (chunk.value) text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel();
  return { events: events(), text };
}

describe('GET /v1/notifications/stream (SSE)', () => {
  it("pushes the user's new notifications live (and not other users'), with heartbeats", async () => {
    const { app, deliver } = await setup();
    const res = await app.request('/v1/notifications/stream', {
      headers: { authorization: await bearer('user-1') },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const mine = reminderDue('user-1');
    setTimeout(() => {
      void deliver(reminderDue('user-2')).then(() => deliver(mine));
    }, 120);
    const { events, text } = await readEvents(res, 1);
    expect(events.map((e) => e.data.id)).toEqual([mine.id]);
    expect(text).toContain(': heartbeat');
  });

  it('replays what came after Last-Event-ID, then goes on live', async () => {
    const { app, deliver, rows } = await setup();
    const first = reminderDue('user-1', '2026-03-01T09:00:00.000Z');
    const second = reminderDue('user-1', '2026-03-01T09:01:00.000Z');
    await deliver(first);
    await deliver(second);
    const seqOfFirst = Number((await rows()).find((r) => r.id === first.id)?.seq);
    const res = await app.request('/v1/notifications/stream', {
      headers: { authorization: await bearer('user-1'), 'last-event-id': String(seqOfFirst) },
    });
    const third = reminderDue('user-1', '2026-03-01T09:02:00.000Z');
    setTimeout(() => void deliver(third), 100);
    const { events } = await readEvents(res, 2);
    expect(events.map((e) => e.data.id)).toEqual([second.id, third.id]);
    expect(events[0]?.id).toBe(String(seqOfFirst + 1));
  });

  it('answers 401 without a token', async () => {
    const { app } = await setup();
    expect((await app.request('/v1/notifications/stream')).status).toBe(401);
  });
});

/** Reads SSE frames (any event) until `until` holds for them or the time is up. */
async function readFrames(
  res: Response,
  until: (frames: { event: string; id?: string | undefined; data: unknown }[]) => boolean,
  ms = 3000,
) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const frames = () =>
    text
      .split('\n\n')
      .filter((f) => /^event: /m.test(f))
      .map((f) => ({
        event: /^event: (.*)$/m.exec(f)?.[1] ?? '',
        ...(/^id: (.*)$/m.exec(f) ? { id: /^id: (.*)$/m.exec(f)?.[1] } : {}),
        data: JSON.parse(/^data: (.*)$/m.exec(f)?.[1] ?? 'null') as unknown,
      }));
  const deadline = Date.now() + ms;
  while (!ended && !until(frames()) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<{ done: false; value: undefined }>((r) =>
        setTimeout(() => r({ done: false, value: undefined }), 100),
      ),
    ]);
    if (chunk.value) text += decoder.decode(chunk.value, { stream: true });
    if (chunk.done) ended = true;
  }
  if (!ended) await reader.cancel();
  return { frames: frames(), ended };
}

function taskChanged(userId: string, taskId = uuidv7(), op: 'created' | 'completed' = 'created') {
  return buildEvent({
    type: 'todo.task.changed.v1',
    id: uuidv7(),
    source: 'chat-api',
    subject: taskId,
    userid: userId,
    correlationid: 'corr-2',
    data: { id: taskId, version: op === 'created' ? 1 : 2, op, fields: [], at: '2026-03-01T09:00:00.000Z' },
  }).event;
}

describe('the stream from a browser (stream tokens, live task sync, limits)', () => {
  const auth = { secret: SECRET };

  it('opens with a stream token in the URL, and pushes task changes and notifications of that user only', async () => {
    const { app, deliver, deliverTaskUpdate } = await setup();
    const { token } = await signStreamToken(auth, 'user-1');
    const res = await app.request(`/v1/notifications/stream?stream_token=${token}`, {
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const mine = taskChanged('user-1');
    const due = reminderDue('user-1');
    setTimeout(() => {
      void deliverTaskUpdate(taskChanged('user-2'))
        .then(() => deliverTaskUpdate(mine))
        .then(() => deliver(due));
    }, 100);
    const { frames } = await readFrames(res, (f) => f.length >= 2);
    expect(frames.map((f) => f.event)).toEqual(['task', 'notification']);
    expect(frames[0]).toMatchObject({ data: { id: mine.subject, op: 'created', version: 1 } });
    expect(frames[0]?.id).toBeUndefined();
    expect(frames[1]).toMatchObject({ data: { id: due.id } });
  });

  it('gives no CORS header to an origin it does not know', async () => {
    const { app } = await setup();
    const { token } = await signStreamToken(auth, 'user-1', { ttlSeconds: 1 });
    const res = await app.request(`/v1/notifications/stream?stream_token=${token}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.body?.cancel();
  });

  it('takes a stream token nowhere else, and a user token or garbage not as a stream token', async () => {
    const { app } = await setup();
    const { token } = await signStreamToken(auth, 'user-1');
    const list = await app.request('/v1/notifications', { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(401);
    const asHeader = await app.request('/v1/notifications/stream', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asHeader.status).toBe(401);
    const userToken = (await bearer('user-1')).slice('Bearer '.length);
    const asQuery = await app.request(`/v1/notifications/stream?stream_token=${userToken}`);
    expect(asQuery.status).toBe(401);
    expect(asQuery.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await app.request('/v1/notifications/stream?stream_token=x.y')).status).toBe(401);
    // The positive control: the same user token as a bearer opens the stream.
    const ok = await app.request('/v1/notifications/stream', {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it('ends the stream when its token expires, with an expired event first', async () => {
    const { app } = await setup();
    const { token } = await signStreamToken(auth, 'user-1', { ttlSeconds: 1 });
    const started = Date.now();
    const res = await app.request(`/v1/notifications/stream?stream_token=${token}`);
    expect(res.status).toBe(200);
    const { frames, ended } = await readFrames(res, () => false, 4000);
    expect(ended).toBe(true);
    expect(frames.map((f) => f.event)).toEqual(['expired']);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it("caps a user's open streams (429 with Retry-After) without costing another user theirs", async () => {
    const { app } = await setup(200, {}, { maxStreamsPerUser: 2 });
    const open = async (user: string) =>
      app.request(`/v1/notifications/stream?stream_token=${(await signStreamToken(auth, user)).token}`);
    const first = await open('user-1');
    const second = await open('user-1');
    const third = await open('user-1');
    const other = await open('user-2');
    expect([first.status, second.status, third.status, other.status]).toEqual([200, 200, 429, 200]);
    expect(third.headers.get('retry-after')).toBe('30');
    expect(await third.json()).toMatchObject({ code: 'quota_exceeded', limit: 2 });
    await first.body?.cancel();
    // A closed stream frees its place.
    await new Promise((r) => setTimeout(r, 50));
    const again = await open('user-1');
    expect(again.status).toBe(200);
    for (const r of [second, other, again]) await r.body?.cancel();
  });

  it('drops a task-updates record that is not one (no dead-letter topic: it was only a hint)', async () => {
    const { deliverTaskUpdate } = await setup();
    expect(await deliverTaskUpdate({ not: 'an event' })).toEqual({ status: 200, body: { status: 'DROP' } });
    expect(await deliverTaskUpdate(taskChanged('user-1'))).toEqual({
      status: 200,
      body: { status: 'SUCCESS' },
    });
  });
});
