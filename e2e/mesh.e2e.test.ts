/**
 * Nobody else gets in, on the real stack: through the mesh, an app that is not the one a route,
 * an actor or a topic belongs to is refused. The three apps run under their real daprd with the
 * project's dapr-components; an `intruder` sidecar (another app-id, same placement) plays the
 * forger. Each refusal has its positive control: the same call made the way the system makes it
 * goes through.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvent, deterministicId, TOPICS, uuidv7 } from '@todo/events';
import { actorCallToken } from '@todo/task-reminder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/dev-token.ts';
import { type SidecarProcess, startSidecar } from './support/sidecar-process.ts';
import { stackEnv } from './support/stack-env.ts';
import { PORTS, type System, startSystem } from './support/system.ts';
import { until } from './support/wait.ts';

const stack = stackEnv();
const ROOT = join(import.meta.dirname, '..');
const logDir = mkdtempSync(join(tmpdir(), 'todo-e2e-mesh-'));
const INTRUDER = { app: 3960, http: 3961, grpc: 3962, internalGrpc: 3963, metrics: 3964 };
let system: System;
let intruder: SidecarProcess;
let auth: Record<string, string>;
const user = `e2e-mesh-${Date.now()}`;

const sidecarCall = (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${base}/v1.0${path}`, {
    method,
    headers: { 'dapr-api-token': stack.daprApiToken, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/**
 * A ReminderDue for a new task of the user, due now, that task-reminder never fired: what a
 * forger sends. `idAsFired` gives it the id task-reminder would (deterministic per occurrence).
 */
function forgedReminderDue(source: string, options: { idAsFired?: boolean } = {}) {
  const taskId = uuidv7();
  const occurrence = new Date().toISOString();
  const { event } = buildEvent({
    type: 'todo.reminder.due.v1',
    ...(options.idAsFired ? { id: deterministicId('reminder', taskId, occurrence) } : {}),
    source,
    subject: taskId,
    userid: user,
    correlationid: 'forged',
    data: {
      task_id: taskId,
      user_id: user,
      title: 'forged',
      due_at: null,
      remind_at: occurrence,
      occurrence,
      fired_at: occurrence,
    },
  });
  return { taskId, event };
}

beforeAll(async () => {
  auth = await bearer(stack.jwtSecret, user);
  system = await startSystem(stack, { logDir });
  // No app behind it: a sidecar is all a forger on the mesh needs.
  intruder = startSidecar(stack, {
    appId: 'intruder',
    ports: INTRUDER,
    resourcesPath: join(ROOT, 'dapr-components'),
    configPath: join(ROOT, 'dapr-components/config.yaml'),
    logDir,
    noApp: true,
  });
  await intruder.ready(90_000);
}, 240_000);

afterAll(async () => {
  await intruder?.stop();
  await system?.stop();
  console.log(`mesh e2e logs: ${logDir}`);
});

describe('the mesh trusts only who it should', () => {
  it("refuses another app's actor calls (get, apply); its own app's go through", async () => {
    const res = await fetch(`${system.url['chat-api']}/v1/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'secret plans',
        remind_at: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    const task = (await res.json()) as { id: string };
    const intruderUrl = intruder.httpUrl;
    const actor = `/actors/TaskReminder/${task.id}/method`;
    // The control first: with the caller token (what task-reminder's own subscription sends),
    // through the intruder's sidecar, `get` answers the applied task — placement routes it.
    const control = await until('the task applied by its actor', async () => {
      const r = await sidecarCall(intruderUrl, 'PUT', `${actor}/get`, undefined, {
        'x-actor-call-token': actorCallToken(stack.appApiToken),
      });
      const body = r.status === 200 ? ((await r.json()) as { title?: string } | null) : null;
      return body?.title ? body : undefined;
    });
    expect(control.title).toBe('secret plans');
    // Without it: refused, whatever the method.
    const read = await sidecarCall(intruderUrl, 'PUT', `${actor}/get`);
    expect(read.status).not.toBe(200);
    expect(await read.text()).not.toContain('secret plans');
    const forged = buildEvent({
      type: 'todo.task.deleted.v1',
      source: 'chat-api',
      subject: task.id,
      userid: user,
      correlationid: 'forged',
      data: { id: task.id, version: 99 },
    }).event;
    expect((await sidecarCall(intruderUrl, 'PUT', `${actor}/apply`, forged)).status).not.toBe(200);
    // The reminder is still there: the forged delete never applied.
    const after = await sidecarCall(intruderUrl, 'PUT', `${actor}/get`, undefined, {
      'x-actor-call-token': actorCallToken(stack.appApiToken),
    });
    expect(((await after.json()) as { status: string; version: number }).status).toBe('open');
  });

  it("refuses service invocation of an app's routes (its subscription route among them)", async () => {
    // The very event task-reminder would publish (its source, its deterministic id).
    const { taskId, event } = forgedReminderDue('task-reminder', { idAsFired: true });
    for (const app of ['notifier', 'chat-api', 'task-reminder']) {
      const r = await sidecarCall(intruder.httpUrl, 'POST', `/invoke/${app}/method/events/reminders`, event, {
        'content-type': 'application/cloudevents+json',
      });
      expect(r.status, `invoke ${app}`).toBe(403);
    }
    const list = await fetch(`${system.url.notifier}/v1/notifications`, { headers: auth });
    expect(
      ((await list.json()) as { items: { task_id: string }[] }).items.map((n) => n.task_id),
    ).not.toContain(taskId);
  });

  it('lets only task-reminder publish ReminderDue, and each app only its own topics', async () => {
    const chatApi = `http://127.0.0.1:${PORTS['chat-api'].http}`;
    const notifier = `http://127.0.0.1:${PORTS.notifier.http}`;
    const { taskId, event } = forgedReminderDue('chat-api');
    const publish = (base: string, topic: string) =>
      sidecarCall(base, 'POST', `/publish/kafka-pubsub/${topic}?metadata.partitionKey=${taskId}`, event, {
        'content-type': 'application/cloudevents+json',
      });
    expect((await publish(chatApi, TOPICS.reminders)).status).toBe(403);
    expect((await publish(notifier, TOPICS.reminders)).status).toBe(403);
    expect((await publish(notifier, TOPICS.taskEvents)).status).toBe(403);
    // The control: chat-api publishes to task-events (the outbox relay's topic) as ever. The
    // event is a ReminderDue, which task-reminder drops to task-events-dlq: harmless.
    expect((await publish(chatApi, TOPICS.taskEvents)).status).toBe(204);
  });
});
