/**
 * Proves the local stack with real parts: two minimal Hono apps under real daprd sidecars,
 * a real Kafka broker, real placement and scheduler, PostgreSQL as the actor state store.
 *
 * 1. smoke-publisher publishes a CloudEvent (application/cloudevents+json, key = a task id) to
 *    task-events through its sidecar; smoke-receiver gets it on its subscription route.
 * 2. An independent Kafka client (kafkajs, not Dapr) reads the same message back with its key.
 * 3. smoke-receiver also hosts an actor type; a reminder registered 2 s ahead fires its callback.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { createSidecar, requireSidecarToken } from '@todo/platform';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaReader, openKafkaReader } from './support/kafka-reader.ts';
import { type SidecarProcess, startSidecar } from './support/sidecar-process.ts';
import { smokeResources } from './support/smoke-resources.ts';
import { stackEnv } from './support/stack-env.ts';

const stack = stackEnv();
const PUBLISHER = { app: 3910, http: 3911, grpc: 3912, internalGrpc: 3913, metrics: 3914 };
const RECEIVER = { app: 3920, http: 3921, grpc: 3922, internalGrpc: 3923, metrics: 3924 };
const ACTOR_TYPE = 'SmokeActor';

interface Delivery {
  body: Record<string, unknown>;
  contentType: string | undefined;
}
interface ReminderCall {
  actorId: string;
  name: string;
  body: Record<string, unknown>;
  at: number;
}

const deliveries: Delivery[] = [];
const reminderCalls: ReminderCall[] = [];
const servers: ServerType[] = [];
const sidecars: SidecarProcess[] = [];
let reader: KafkaReader;

function publisherApp() {
  const sidecar = createSidecar({ httpPort: PUBLISHER.http, apiToken: stack.daprApiToken });
  const app = new Hono();
  app.get('/healthz', (c) => c.body(null, 204));
  app.use('/dapr/*', requireSidecarToken(stack.appApiToken));
  app.post('/publish', async (c) => {
    const event = await c.req.json<{ subject: string }>();
    await sidecar.publish('task-events', event, { partitionKey: event.subject });
    return c.body(null, 202);
  });
  return app;
}

function receiverApp() {
  const app = new Hono();
  app.get('/healthz', (c) => c.body(null, 204));
  app.use('/dapr/*', requireSidecarToken(stack.appApiToken));
  app.use('/events/*', requireSidecarToken(stack.appApiToken));
  app.use('/actors/*', requireSidecarToken(stack.appApiToken));
  app.get('/dapr/subscribe', (c) =>
    c.json([
      {
        pubsubname: 'kafka-pubsub',
        topic: 'task-events',
        route: '/events/task-events',
        deadLetterTopic: 'task-events-dlq',
      },
    ]),
  );
  app.post('/events/task-events', async (c) => {
    deliveries.push({ body: await c.req.json(), contentType: c.req.header('content-type') });
    return c.json({ status: 'SUCCESS' });
  });
  app.get('/dapr/config', (c) =>
    c.json({ entities: [ACTOR_TYPE], actorIdleTimeout: '1m', drainRebalancedActors: true }),
  );
  app.put('/actors/:type/:id/method/remind/:name', async (c) => {
    reminderCalls.push({
      actorId: c.req.param('id'),
      name: c.req.param('name'),
      body: await c.req.json(),
      at: Date.now(),
    });
    return c.body(null, 200);
  });
  app.delete('/actors/:type/:id', (c) => c.body(null, 200));
  return app;
}

function listen(app: Hono, port: number): Promise<void> {
  return new Promise((resolve) => {
    servers.push(serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve()));
  });
}

beforeAll(async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'todo-smoke-logs-'));
  const resources = smokeResources(
    ['kafka-pubsub.yaml', 'actor-state.yaml', 'resiliency.yaml'],
    ['smoke-publisher', 'smoke-receiver'],
  );
  const configPath = join(import.meta.dirname, '../dapr-components/config.yaml');
  reader = await openKafkaReader(stack.kafkaBrokers, 'task-events');
  await listen(publisherApp(), PUBLISHER.app);
  await listen(receiverApp(), RECEIVER.app);
  sidecars.push(
    startSidecar(stack, {
      appId: 'smoke-publisher',
      ports: PUBLISHER,
      resourcesPath: resources,
      configPath,
      logDir,
    }),
    startSidecar(stack, {
      appId: 'smoke-receiver',
      ports: RECEIVER,
      resourcesPath: resources,
      configPath,
      logDir,
    }),
  );
  await Promise.all(sidecars.map((s) => s.ready()));
});

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.stop()));
  for (const s of servers) s.close();
  await reader?.close();
});

describe('the local stack', () => {
  const taskId = randomUUID();
  const event = {
    specversion: '1.0',
    id: randomUUID(),
    type: 'todo.smoke.v1',
    source: 'smoke-publisher',
    subject: taskId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { hello: 'kafka' },
  };

  it('delivers a published CloudEvent through Kafka to another app-id, envelope intact', async () => {
    const res = await fetch(`http://127.0.0.1:${PUBLISHER.app}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(202);

    const deadline = Date.now() + 30_000;
    let got: Delivery | undefined;
    while (!got && Date.now() < deadline) {
      got = deliveries.find((d) => d.body.id === event.id);
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got, 'the subscriber never received the event').toBeDefined();
    expect(got?.contentType).toContain('application/cloudevents+json');
    expect(got?.body).toMatchObject({
      id: event.id,
      type: event.type,
      source: 'smoke-publisher',
      subject: taskId,
    });
    expect(got?.body.data).toEqual({ hello: 'kafka' });
    expect(got?.body.traceparent, 'Dapr adds trace context').toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('stores the message in Kafka keyed by the task id, readable by a non-Dapr client', async () => {
    const records = await reader.readUntil((rs) => rs.some((r) => r.value.includes(event.id)));
    const record = records.find((r) => r.value.includes(event.id));
    expect(record, 'kafkajs never saw the message').toBeDefined();
    expect(record?.key).toBe(taskId);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({
      id: event.id,
      subject: taskId,
      data: { hello: 'kafka' },
    });
  });

  it('rejects a sidecar-facing call without the app token', async () => {
    const res = await fetch(`http://127.0.0.1:${RECEIVER.app}/events/task-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(401);
  });

  it('rejects a call to the sidecar without the Dapr API token', async () => {
    const res = await fetch(`${sidecars[0]?.httpUrl}/v1.0/metadata`);
    expect(res.status).toBe(401);
  });

  it('fires an actor reminder registered 2 s ahead (placement, scheduler, actor state store)', async () => {
    const actorId = `smoke-${randomUUID()}`;
    const dueAt = Date.now() + 2_000;
    const res = await fetch(`${sidecars[1]?.httpUrl}/v1.0/actors/${ACTOR_TYPE}/${actorId}/reminders/due`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'dapr-api-token': stack.daprApiToken },
      body: JSON.stringify({ dueTime: new Date(dueAt).toISOString(), data: { taskId: actorId } }),
    });
    expect(res.status, await res.text()).toBe(204);

    const deadline = Date.now() + 20_000;
    let call: ReminderCall | undefined;
    while (!call && Date.now() < deadline) {
      call = reminderCalls.find((c) => c.actorId === actorId);
      if (!call) await new Promise((r) => setTimeout(r, 50));
    }
    expect(call, 'the reminder never fired').toBeDefined();
    expect(call?.name).toBe('due');
    expect(call?.body.data).toEqual({ taskId: actorId });
    // A reminder never fires early; how late it was is printed for the record.
    expect(call?.at).toBeGreaterThanOrEqual(dueAt - 5);
    console.log(`reminder fired ${(call?.at ?? 0) - dueAt} ms after its due time`);
  });
});
