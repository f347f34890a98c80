/**
 * Reminders end to end, on the real stack: task-reminder and notifier run as their own processes
 * (`node src/main.ts`) under real daprd sidecars with the project's dapr-components and real
 * app-ids; placement and the scheduler fire real actor reminders; Kafka carries everything.
 * Task events are injected by a test publisher sidecar (CloudEvents built with buildEvent), as
 * chat-api would publish them. ReminderDue events are read back with an independent Kafka client.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import {
  buildEvent,
  deterministicId,
  type EventDataInput,
  type EventType,
  TOPICS,
  type TodoEvent,
  uuidv7,
} from '@todo/events';
import { createSidecar } from '@todo/platform';
import { actorCallToken } from '@todo/task-reminder';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from './support/app-process.ts';
import { startSidecarWithEnv } from './support/daprd-with-env.ts';
import { bearer } from './support/dev-token.ts';
import { type KafkaReader, type KafkaRecord, kafkaClient, openKafkaReader } from './support/kafka-reader.ts';
import { type SidecarProcess, startSidecar } from './support/sidecar-process.ts';
import { smokeResources } from './support/smoke-resources.ts';
import { followSse, type SseReader } from './support/sse-reader.ts';
import { stackEnv } from './support/stack-env.ts';
import { until } from './support/wait.ts';

const stack = stackEnv();
const ROOT = join(import.meta.dirname, '..');
const COMPONENTS = join(ROOT, 'dapr-components');
const CONFIG = join(COMPONENTS, 'config.yaml');
const TASK_REMINDER = { app: 3001, http: 3501, grpc: 20102, internalGrpc: 20202, metrics: 9502 };
const NOTIFIER = { app: 3002, http: 3502, grpc: 20103, internalGrpc: 20203, metrics: 9503 };
const PUBLISHER = { app: 3945, http: 3946, grpc: 3947, internalGrpc: 3948, metrics: 3949 };
const SINK = 'http://127.0.0.1:3990';
const logDir = mkdtempSync(join(tmpdir(), 'todo-e2e-reminders-'));
const user = `e2e-reminders-${Date.now()}`;

const apps: AppProcess[] = [];
const sidecars: SidecarProcess[] = [];
let publisherServer: ServerType;
let sink: ChildProcess;
let reminders: KafkaReader;
let dlq: KafkaReader;
let auth: Record<string, string>;
let sse: SseReader<{ id: string; task_id: string }>;
const publisher = createSidecar({ httpPort: PUBLISHER.http, apiToken: stack.daprApiToken });

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  until(what, probe, timeoutMs, `logs in ${logDir}`);

function taskEvent<T extends EventType>(type: T, taskId: string, data: EventDataInput<T>, userid = user) {
  return buildEvent({
    type,
    source: 'e2e-publisher',
    subject: taskId,
    userid,
    correlationid: `e2e-${taskId}`,
    data,
  }).event;
}

function task(id: string, remindAt: Date | null, over: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id,
    user_id: user,
    title: `e2e reminder ${id.slice(-6)}`,
    description: null,
    status: 'open' as const,
    priority: 'medium' as const,
    tags: [],
    due_at: null,
    remind_at: remindAt?.toISOString() ?? null,
    recurrence: 'none',
    timezone: 'Europe/Paris',
    version: 1,
    created_at: now,
    updated_at: now,
    completed_at: null,
    ...over,
  };
}

function publish(topic: string, event: { subject: string }) {
  return publisher.publish(topic, event, { partitionKey: event.subject });
}

/** Publishes a task event to task-events, as chat-api's outbox relay would. */
function publishTaskEvent<T extends EventType>(type: T, taskId: string, data: EventDataInput<T>) {
  return publish(TOPICS.taskEvents, taskEvent(type, taskId, data));
}

/**
 * The positive control of a negative check: a fresh task whose reminder is due at `at`, waited
 * for until its ReminderDue is on Kafka. Whatever should have fired before `at` (and did not)
 * had its chance by then.
 */
async function controlFiredAfter(at: Date) {
  const id = uuidv7();
  await publishTaskEvent('todo.task.created.v1', id, task(id, at));
  await waitFor(
    'the control reminder',
    async () => ((await reminderDues(id)).length > 0 ? true : undefined),
    60_000,
  );
}

/** The ReminderDue events on Kafka for a task, with the time this test first saw each. */
const firstSeen = new Map<string, number>();
async function reminderDues(taskId: string) {
  const records = await reminders.readUntil(() => true, 0);
  return records
    .filter((r: KafkaRecord) => r.key === taskId)
    .map((r) => {
      const event = JSON.parse(r.value) as TodoEvent<'todo.reminder.due.v1'>;
      if (!firstSeen.has(r.offset + r.partition)) firstSeen.set(r.offset + r.partition, Date.now());
      return { record: r, event, seenAt: firstSeen.get(r.offset + r.partition) ?? Date.now() };
    });
}

async function notifications(taskId: string) {
  const res = await fetch(`http://127.0.0.1:${NOTIFIER.app}/v1/notifications?limit=100`, { headers: auth });
  const body = (await res.json()) as {
    items: { id: string; task_id: string; delivery: { status: string } }[];
  };
  return body.items.filter((n) => n.task_id === taskId);
}

async function sinkDeliveries(notificationId: string) {
  const all = (await (await fetch(`${SINK}/deliveries`)).json()) as {
    headers: Record<string, string>;
    body: { id: string };
  }[];
  return all.filter((d) => d.body.id === notificationId);
}

/** Fails fast when a port is taken: a leftover app would answer the readiness probes instead. */
async function assertPortsFree(ports: number[]) {
  for (const port of ports) {
    const taken = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      (err: Error) => !/ECONNREFUSED/.test(String(err.cause ?? err)),
    );
    if (taken)
      throw new Error(`port ${port} is taken: stop what listens there (ss -ltnp 'sport = :${port}')`);
  }
}

beforeAll(async () => {
  await assertPortsFree([
    TASK_REMINDER.app,
    TASK_REMINDER.http,
    NOTIFIER.app,
    NOTIFIER.http,
    PUBLISHER.app,
    3990,
  ]);
  auth = await bearer(stack.jwtSecret, user);
  sink = spawn(process.execPath, [join(ROOT, 'scripts/webhook-sink.ts'), '--port', '3990'], {
    stdio: 'ignore',
  });
  reminders = await openKafkaReader(stack.kafkaBrokers, TOPICS.reminders);
  dlq = await openKafkaReader(stack.kafkaBrokers, TOPICS.taskEventsDlq);

  const appEnv = { DAPR_API_TOKEN: stack.daprApiToken, APP_API_TOKEN: stack.appApiToken, LOG_LEVEL: 'info' };
  apps.push(
    startApp({
      dir: join(ROOT, 'actors/task-reminder'),
      name: 'task-reminder',
      port: TASK_REMINDER.app,
      env: { ...appEnv, DAPR_HTTP_PORT: String(TASK_REMINDER.http) },
      logDir,
    }),
    startApp({
      dir: join(ROOT, 'services/notifier'),
      name: 'notifier',
      port: NOTIFIER.app,
      env: {
        ...appEnv,
        DAPR_HTTP_PORT: String(NOTIFIER.http),
        DATABASE_URL: stack.databaseUrl,
        AUTH_JWT_SECRET: stack.jwtSecret,
        NODE_ENV: 'development',
      },
      logDir,
    }),
  );
  // The test publisher: a bare app under its own app-id, with the real kafka-pubsub component.
  const pubApp = new Hono();
  pubApp.get('/healthz', (c) => c.body(null, 204));
  await new Promise<void>((resolve) => {
    publisherServer = serve({ fetch: pubApp.fetch, port: PUBLISHER.app, hostname: '127.0.0.1' }, () =>
      resolve(),
    );
  });
  await Promise.all(apps.map((a) => a.ready()));
  sidecars.push(
    startSidecar(stack, {
      appId: 'task-reminder',
      ports: TASK_REMINDER,
      resourcesPath: COMPONENTS,
      configPath: CONFIG,
      logDir,
    }),
    startSidecarWithEnv(
      stack,
      { appId: 'notifier', ports: NOTIFIER, resourcesPath: COMPONENTS, configPath: CONFIG, logDir },
      { NOTIFY_WEBHOOK_URL: `${SINK}/hook` },
    ),
    startSidecar(stack, {
      appId: 'e2e-publisher',
      ports: PUBLISHER,
      resourcesPath: smokeResources(['kafka-pubsub.yaml'], ['e2e-publisher']),
      configPath: CONFIG,
      logDir,
    }),
  );
  await Promise.all(sidecars.map((s) => s.ready()));
  await waitFor('the webhook sink', async () => ((await fetch(`${SINK}/deliveries`)).ok ? true : undefined));

  // Warm up both subscriptions (consumer group joins) before timing anything.
  const warm = uuidv7();
  await publishTaskEvent('todo.task.created.v1', warm, task(warm, null));
  await waitFor(
    'task-reminder to apply a first event',
    async () => {
      const res = await fetch(`${sidecars[0]?.httpUrl}/v1.0/actors/TaskReminder/${warm}/method/get`, {
        method: 'PUT',
        headers: {
          'dapr-api-token': stack.daprApiToken,
          'x-actor-call-token': actorCallToken(stack.appApiToken),
        },
      });
      const body = res.status === 200 ? await res.json() : null;
      return body ? true : undefined;
    },
    90_000,
  );
  const warmDue = buildEvent({
    type: 'todo.reminder.due.v1',
    source: 'e2e-publisher',
    subject: warm,
    userid: user,
    correlationid: 'e2e-warm-up',
    data: {
      task_id: warm,
      user_id: user,
      title: 'warm-up',
      due_at: null,
      remind_at: new Date().toISOString(),
      occurrence: new Date().toISOString(),
      fired_at: new Date().toISOString(),
    },
  }).event;
  await publish(TOPICS.reminders, warmDue);
  await waitFor(
    'notifier to store a first notification',
    async () => ((await notifications(warm)).length > 0 ? true : undefined),
    90_000,
  );
  sse = await followSse(`http://127.0.0.1:${NOTIFIER.app}/v1/notifications/stream`, auth);
}, 180_000);

afterAll(async () => {
  sse?.close();
  await Promise.all(sidecars.map((s) => s.stop()));
  await Promise.all(apps.map((a) => a.stop()));
  publisherServer?.close();
  sink?.kill('SIGTERM');
  await reminders?.close();
  await dlq?.close();
});

describe('reminders on the real stack', () => {
  it('fires ReminderDue once, after remind_at, and it reaches the list, the SSE stream and the webhook', async () => {
    const taskId = uuidv7();
    const remindAt = new Date(Date.now() + 3_000);
    await publishTaskEvent('todo.task.created.v1', taskId, task(taskId, remindAt));

    const [due] = await waitFor('the ReminderDue on Kafka', async () => {
      const found = await reminderDues(taskId);
      return found.length > 0 ? found : undefined;
    });
    const occurrence = remindAt.toISOString();
    expect(due?.record.key).toBe(taskId);
    expect(due?.event).toMatchObject({
      id: deterministicId('reminder', taskId, occurrence),
      type: 'todo.reminder.due.v1',
      source: 'task-reminder',
      subject: taskId,
      userid: user,
      data: { task_id: taskId, user_id: user, remind_at: occurrence, occurrence },
    });
    const lateness = (due?.seenAt ?? 0) - remindAt.getTime();
    const firedLate = Date.parse(due?.event.data.fired_at ?? '') - remindAt.getTime();
    console.log(
      `reminder: fired ${firedLate} ms after remind_at, on Kafka (seen by kafkajs) after ${lateness} ms`,
    );
    // Never early; how late is measured by scripts/bench-reminders, not asserted here.
    expect(firedLate).toBeGreaterThanOrEqual(0);

    const id = due?.event.id ?? '';
    const [listed] = await waitFor('the notification in the list', async () => {
      const found = await notifications(taskId);
      return found.length > 0 ? found : undefined;
    });
    expect(listed?.id).toBe(id);
    await waitFor('the notification on the SSE stream', async () =>
      sse.events.find((e) => e.data.id === id) ? true : undefined,
    );
    const [delivery] = await waitFor('the webhook delivery', async () => {
      const found = await sinkDeliveries(id);
      return found.length > 0 ? found : undefined;
    });
    expect(delivery?.headers['x-notification-id']).toBe(id);
    expect(delivery?.body).toMatchObject({ type: 'reminder.due', id, task_id: taskId, user_id: user });
    await waitFor('the delivery recorded as delivered', async () =>
      (await notifications(taskId))[0]?.delivery.status === 'delivered' ? true : undefined,
    );
    await controlFiredAfter(new Date(Date.now() + 1_000));
    expect(await reminderDues(taskId)).toHaveLength(1);
  });

  it('fires a rescheduled reminder at the new time, never the old', async () => {
    const taskId = uuidv7();
    const first = new Date(Date.now() + 3_000);
    const moved = new Date(Date.now() + 5_000);
    await publishTaskEvent('todo.task.created.v1', taskId, task(taskId, first));
    await publishTaskEvent('todo.task.updated.v1', taskId, {
      id: taskId,
      version: 2,
      changes: { remind_at: moved.toISOString() },
    });
    await waitFor('the moved reminder', async () =>
      (await reminderDues(taskId)).length > 0 ? true : undefined,
    );
    await controlFiredAfter(new Date(moved.getTime() + 1_000));
    const dues = await reminderDues(taskId);
    expect(dues.map((d) => d.event.data.occurrence)).toEqual([moved.toISOString()]);
    expect(Date.parse(dues[0]?.event.data.fired_at ?? '')).toBeGreaterThanOrEqual(moved.getTime());
  });

  it('never fires for a task completed or deleted before its reminder', async () => {
    const completed = uuidv7();
    const deleted = uuidv7();
    const remindAt = new Date(Date.now() + 3_000);
    await publishTaskEvent('todo.task.created.v1', completed, task(completed, remindAt));
    await publishTaskEvent('todo.task.created.v1', deleted, task(deleted, remindAt));
    await publishTaskEvent('todo.task.completed.v1', completed, {
      id: completed,
      version: 2,
      completed_at: new Date().toISOString(),
    });
    await publishTaskEvent('todo.task.deleted.v1', deleted, { id: deleted, version: 2 });
    await controlFiredAfter(new Date(remindAt.getTime() + 1_000));
    expect(await reminderDues(completed)).toEqual([]);
    expect(await reminderDues(deleted)).toEqual([]);
  });

  it('fires every occurrence of a SECONDLY recurring task, then stops at COUNT', async () => {
    const taskId = uuidv7();
    const start = new Date(Date.now() + 3_000);
    await publishTaskEvent(
      'todo.task.created.v1',
      taskId,
      task(taskId, start, { recurrence: 'RRULE:FREQ=SECONDLY;INTERVAL=1;COUNT=3' }),
    );
    const dues = await waitFor('three occurrences', async () => {
      const found = await reminderDues(taskId);
      return found.length >= 3 ? found : undefined;
    });
    // A fourth occurrence would be due at start + 3 s.
    await controlFiredAfter(new Date(start.getTime() + 4_000));
    const all = await reminderDues(taskId);
    const expected = [0, 1, 2].map((s) => new Date(start.getTime() + s * 1_000).toISOString());
    expect(all.map((d) => d.event.data.occurrence)).toEqual(expected);
    expect(new Set(all.map((d) => d.event.id)).size).toBe(3);
    for (const d of dues) {
      console.log(
        `occurrence ${d.event.data.occurrence}: fired ${Date.parse(d.event.data.fired_at) - Date.parse(d.event.data.occurrence)} ms late`,
      );
    }
  });

  it('gives one reminder and one notification when the task event and the ReminderDue arrive twice', async () => {
    const taskId = uuidv7();
    const remindAt = new Date(Date.now() + 3_000);
    const created = taskEvent('todo.task.created.v1', taskId, task(taskId, remindAt));
    await publish(TOPICS.taskEvents, created);
    await publish(TOPICS.taskEvents, created);
    const [due] = await waitFor('the ReminderDue', async () => {
      const found = await reminderDues(taskId);
      return found.length > 0 ? found : undefined;
    });
    await controlFiredAfter(new Date(Date.now() + 1_000));
    expect(await reminderDues(taskId)).toHaveLength(1);
    // The same ReminderDue again, as Kafka holds it (a redelivery, or a reminder firing twice).
    await publish(TOPICS.reminders, JSON.parse(due?.record.value ?? '{}'));
    await waitFor('the duplicate on Kafka', async () =>
      (await reminderDues(taskId)).length === 2 ? true : undefined,
    );
    // A control ReminderDue with the same key (so the same partition, behind the duplicate):
    // once notifier has stored and delivered it, it has handled the duplicate too.
    const control = buildEvent({
      type: 'todo.reminder.due.v1',
      source: 'e2e-publisher',
      subject: taskId,
      userid: user,
      correlationid: 'e2e-control',
      data: { ...(due?.event.data ?? ({} as never)), occurrence: new Date().toISOString() },
    }).event;
    await publish(TOPICS.reminders, control);
    await waitFor('the control notification delivered', async () =>
      (await sinkDeliveries(control.id)).length > 0 && sse.events.some((e) => e.data.id === control.id)
        ? true
        : undefined,
    );
    const id = due?.event.id ?? '';
    expect((await notifications(taskId)).map((n) => n.id).sort()).toEqual([id, control.id].sort());
    expect(await sinkDeliveries(id)).toHaveLength(1);
    expect(sse.events.filter((e) => e.data.id === id)).toHaveLength(1);
  });

  it('drops a malformed task event to task-events-dlq, and keeps consuming', async () => {
    const taskId = uuidv7();
    const bad = {
      ...taskEvent('todo.task.created.v1', taskId, task(taskId, null)),
      data: { id: taskId, title: '' },
    };
    await publish(TOPICS.taskEvents, bad);
    const records = await dlq.readUntil((rs) => rs.some((r) => r.value.includes(bad.id)), 60_000);
    const dropped = records.find((r) => r.value.includes(bad.id));
    expect(dropped, 'the malformed event never reached the DLQ').toBeDefined();
    expect(JSON.parse(dropped?.value ?? '{}')).toMatchObject({ id: bad.id, type: 'todo.task.created.v1' });

    // The partition is not blocked: a good event after it still applies.
    const next = uuidv7();
    const remindAt = new Date(Date.now() + 2_000);
    await publishTaskEvent('todo.task.created.v1', next, task(next, remindAt));
    await waitFor('a reminder after the bad event', async () =>
      (await reminderDues(next)).length > 0 ? true : undefined,
    );
  });

  it('dead-letters a batch holding a message that is not JSON and an event it drops, and the sidecar lives', async () => {
    // Straight to Kafka in one produce, so daprd's bulk delivery gets them in one batch: daprd
    // parses the first itself (not JSON: it dead-letters it), the app drops the second. With the
    // DROP answered to daprd 1.18, its sidecar panicked here (index out of range in DeliverBulk).
    const sidecar = sidecars[0];
    const pid = sidecar?.child.pid;
    const marker = uuidv7();
    const dropped = {
      ...taskEvent('todo.task.created.v1', marker, task(marker, null)),
      type: 'todo.nothing.v9',
    };
    const kafka = kafkaClient(stack.kafkaBrokers, 'e2e-bad-batch');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.taskEvents,
      messages: [
        { key: marker, value: `not json ${marker}` },
        { key: marker, value: JSON.stringify(dropped) },
      ],
    });
    await producer.disconnect();
    const records = await dlq.readUntil(
      (rs) => rs.filter((r) => r.value.includes(marker)).length >= 2,
      60_000,
    );
    const ours = records.filter((r) => r.value.includes(marker));
    // daprd's own dead letter keeps the bytes; the app's is the same event (the JSON may be re-encoded).
    expect(ours.filter((r) => r.value === `not json ${marker}`)).toHaveLength(1);
    const json = ours.filter((r) => r.value.startsWith('{')).map((r) => JSON.parse(r.value) as unknown);
    expect(json).toEqual([dropped]);
    // The same sidecar still consumes: a good event after the batch is applied and fires.
    const next = uuidv7();
    await publishTaskEvent('todo.task.created.v1', next, task(next, new Date(Date.now() + 2_000)));
    await waitFor('a reminder after the bad batch', async () =>
      (await reminderDues(next)).length > 0 ? true : undefined,
    );
    expect(sidecar?.child.exitCode).toBeNull();
    expect(sidecar?.child.pid).toBe(pid);
  });

  it('replays a dead-lettered task event to task-events with scripts/dlq, where it is applied and fires', async () => {
    const taskId = uuidv7();
    const event = taskEvent('todo.task.created.v1', taskId, task(taskId, new Date(Date.now() + 3_000)));
    // As Dapr dead-letters what an app dropped: the message as it was, on task-events-dlq.
    await publish(TOPICS.taskEventsDlq, event);
    const dlq = (args: string[]) =>
      execFileSync(
        process.execPath,
        ['--disable-warning=TimeoutNegativeWarning', join(ROOT, 'tools/dlq/src/main.ts'), ...args],
        {
          encoding: 'utf8',
          env: { ...process.env, KAFKA_BROKERS: stack.kafkaBrokers },
        },
      );
    const ref = await waitFor('the event in task-events-dlq', async () => {
      const listed = dlq(['list', TOPICS.taskEventsDlq])
        .split('\n')
        .find((l) => l.includes(`id=${event.id}`));
      return listed ? listed.trim().split(/\s+/)[1] : undefined;
    });
    expect(dlq(['replay', TOPICS.taskEventsDlq, ref ?? ''])).toMatch(/1 message\(s\) replayed/);
    const [due] = await waitFor('the replayed task to fire', async () => {
      const found = await reminderDues(taskId);
      return found.length > 0 ? found : undefined;
    });
    expect(due?.event.data.task_id).toBe(taskId);
  });
});
