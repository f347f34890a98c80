/**
 * The three apps chained on the real stack, as a user meets them: `POST /v1/tasks` with a
 * reminder → chat-api's outbox → task-events → task-reminder's actor registers the reminder →
 * the scheduler fires it → ReminderDue on `reminders` → notifier stores it, streams it and posts
 * it to the webhook. Every app runs as its own process under its own real daprd.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministicId, TOPICS } from '@todo/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/dev-token.ts';
import { type KafkaReader, openKafkaReader } from './support/kafka-reader.ts';
import { followSse, type SseReader } from './support/sse-reader.ts';
import { stackEnv } from './support/stack-env.ts';
import { type System, startSystem } from './support/system.ts';
import { until } from './support/wait.ts';

const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-e2e-system-'));
const user = `e2e-system-${Date.now()}`;
let system: System;
let reminders: KafkaReader;
let stream: SseReader<{ id: string; task_id: string }>;
let auth: Record<string, string>;

async function createTask(title: string, remindAt: Date) {
  const res = await fetch(`${system.url['chat-api']}/v1/tasks`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ title, remind_at: remindAt.toISOString(), timezone: 'Europe/Paris' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; remind_at: string };
}

async function notifications() {
  const res = await fetch(`${system.url.notifier}/v1/notifications?limit=100`, { headers: auth });
  return ((await res.json()) as { items: { id: string; task_id: string; delivery: { status: string } }[] })
    .items;
}

const duesOf = async (taskId: string) =>
  (await reminders.readUntil(() => true, 0)).filter((r) => r.key === taskId).map((r) => JSON.parse(r.value));

beforeAll(async () => {
  auth = await bearer(stack.jwtSecret, user);
  reminders = await openKafkaReader(stack.kafkaBrokers, TOPICS.reminders);
  system = await startSystem(stack, { logDir });
  stream = await followSse(`${system.url.notifier}/v1/notifications/stream`, auth);
}, 180_000);

afterAll(async () => {
  stream?.close();
  await system?.stop();
  await reminders?.close();
  console.log(`system e2e logs: ${logDir}`);
});

describe('a task with a reminder, through all three apps', () => {
  it('becomes one ReminderDue on Kafka and one notification: listed, streamed, and posted to the webhook', async () => {
    const task = await createTask('stretch', new Date(Date.now() + 4_000));
    const id = deterministicId('reminder', task.id, task.remind_at);

    const [due] = await until(
      'the ReminderDue on Kafka',
      async () => {
        const found = await duesOf(task.id);
        return found.length > 0 ? found : undefined;
      },
      90_000,
      `logs: ${logDir}`,
    );
    expect(due).toMatchObject({
      id,
      type: 'todo.reminder.due.v1',
      source: 'task-reminder',
      subject: task.id,
      userid: user,
    });
    expect(Date.parse(due.data.fired_at)).toBeGreaterThanOrEqual(Date.parse(task.remind_at));

    const listed = await until('the notification in the list', async () => {
      const n = (await notifications()).find((x) => x.task_id === task.id);
      return n?.delivery.status === 'delivered' ? n : undefined;
    });
    expect(listed.id).toBe(id);
    await until('the notification on the SSE stream', async () =>
      stream.events.find((e) => e.data.id === id),
    );
    const delivery = await until('the webhook delivery', async () =>
      (await system.deliveries()).find((d) => d.body.id === id),
    );
    expect(delivery.headers['x-notification-id']).toBe(id);
    // Signed, and the signature holds over the bytes the receiver got.
    expect(delivery.headers['webhook-id']).toBe(id);
    expect(delivery.signature).toBe('valid');
    expect(delivery.body).toMatchObject({ type: 'reminder.due', task_id: task.id, user_id: user });

    // Exactly once: a control task due after it has gone through the whole chain too, so a
    // second firing or delivery of the first would have shown by now.
    const control = await createTask('control', new Date(Date.now() + 1_500));
    const controlId = deterministicId('reminder', control.id, control.remind_at);
    await until('the control notification delivered', async () =>
      (await system.deliveries()).find((d) => d.body.id === controlId),
    );
    expect(await duesOf(task.id)).toHaveLength(1);
    expect((await notifications()).filter((n) => n.task_id === task.id)).toHaveLength(1);
    expect((await system.deliveries()).filter((d) => d.body.id === id)).toHaveLength(1);
    expect(stream.events.filter((e) => e.data.id === id)).toHaveLength(1);
  });
});
