/**
 * chat-api end to end, on the real stack: the app as its own process under its real daprd
 * (the project's dapr-components), PostgreSQL, Kafka. Task events are read back from Kafka
 * with an independent client (kafkajs), checked as CloudEvents, by key and in order. Then the
 * sidecar is stopped, a task is written, the sidecar restarted: the events still arrive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from './support/app-process.ts';
import {
  startChatApi as startChatApi_,
  startChatApiSidecar as startChatApiSidecar_,
} from './support/chat-api-process.ts';
import { bearer } from './support/dev-token.ts';
import { type KafkaReader, type KafkaRecord, openKafkaReader } from './support/kafka-reader.ts';
import type { SidecarProcess } from './support/sidecar-process.ts';
import { stackEnv } from './support/stack-env.ts';

const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-e2e-chat-api-'));
const user = `e2e-${Date.now()}`;

let app: AppProcess;
let sidecar: SidecarProcess;
let taskEvents: KafkaReader;
let taskUpdates: KafkaReader;
let auth: Record<string, string>;

const startChatApi = () => startChatApi_(stack, logDir, { RELAY_POLL_MS: '500' });
const startChatApiSidecar = () => startChatApiSidecar_(stack, logDir);

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

const ofTask = (id: string) => (rs: KafkaRecord[]) => rs.filter((r) => r.key === id);
const parsed = (rs: KafkaRecord[]) =>
  rs.map((r) => JSON.parse(r.value) as Record<string, unknown> & { data: Record<string, unknown> });

beforeAll(async () => {
  auth = await bearer(stack.jwtSecret, user);
  taskEvents = await openKafkaReader(stack.kafkaBrokers, 'task-events');
  taskUpdates = await openKafkaReader(stack.kafkaBrokers, 'task-updates');
  app = startChatApi();
  await app.ready();
  sidecar = startChatApiSidecar();
  await sidecar.ready();
});

afterAll(async () => {
  await sidecar?.stop();
  await app?.stop();
  await taskEvents?.close();
  await taskUpdates?.close();
  console.log(`chat-api e2e logs: ${logDir}`);
});

describe('chat-api on the real stack', () => {
  it('is ready once its database and sidecar are', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { database: true, sidecar: true } });
  });

  it('publishes create → update → complete → delete of one task to task-events, in order, keyed by the task id', async () => {
    const created = await api('POST', '/v1/tasks', {
      title: 'Pay rent',
      due_at: '2030-01-04T09:00:00+01:00',
      remind_at: '2030-01-04T08:00:00Z',
      tags: ['home'],
      timezone: 'Europe/Paris',
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const updated = await api('PATCH', `/v1/tasks/${id}`, { title: 'Pay the rent' }, { 'if-match': '"1"' });
    expect(updated.status).toBe(200);
    expect((await api('POST', `/v1/tasks/${id}/complete`)).status).toBe(200);
    expect((await api('DELETE', `/v1/tasks/${id}`)).status).toBe(204);

    const records = ofTask(id)(await taskEvents.readUntil((rs) => ofTask(id)(rs).length >= 4, 30_000));
    const events = parsed(records);
    expect(events.map((e) => e.type)).toEqual([
      'todo.task.created.v1',
      'todo.task.updated.v1',
      'todo.task.completed.v1',
      'todo.task.deleted.v1',
    ]);
    expect(events.map((e) => e.data.version)).toEqual([1, 2, 3, 4]);
    expect(new Set(records.map((r) => r.partition)).size, 'one key, one partition').toBe(1);
    for (const e of events) {
      expect(e).toMatchObject({
        specversion: '1.0',
        source: 'chat-api',
        subject: id,
        userid: user,
        datacontenttype: 'application/json',
      });
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(typeof e.correlationid).toBe('string');
      expect(e.traceparent, 'Dapr adds trace context').toBeTruthy();
    }
    expect(events[0]?.data).toMatchObject({
      id,
      title: 'Pay rent',
      due_at: '2030-01-04T08:00:00.000Z',
      timezone: 'Europe/Paris',
    });
    expect(events[1]?.data).toEqual({ id, version: 2, changes: { title: 'Pay the rent' } });
    expect(events[3]?.data).toEqual({ id, version: 4 });

    const changes = parsed(
      ofTask(id)(await taskUpdates.readUntil((rs) => ofTask(id)(rs).length >= 4, 30_000)),
    );
    expect(changes.map((c) => c.type)).toEqual(Array(4).fill('todo.task.changed.v1'));
    expect(changes.map((c) => c.data.op)).toEqual(['created', 'updated', 'completed', 'deleted']);
  });

  it('keeps writing while the sidecar is down, and delivers everything once it is back', async () => {
    await sidecar.stop();
    const created = await api('POST', '/v1/tasks', { title: 'Written while the sidecar is down' });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await api('PATCH', `/v1/tasks/${id}`, { priority: 'high' })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 1500));
    const metrics = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } })
    ).text();
    const pending = Number(/^outbox_pending (\d+)/m.exec(metrics)?.[1]);
    expect(pending, 'the events wait in the outbox').toBeGreaterThanOrEqual(2);
    expect(ofTask(id)(await taskEvents.readUntil(() => false, 500))).toHaveLength(0);

    sidecar = startChatApiSidecar();
    await sidecar.ready();
    const events = parsed(ofTask(id)(await taskEvents.readUntil((rs) => ofTask(id)(rs).length >= 2, 60_000)));
    expect(events.map((e) => e.type)).toEqual(['todo.task.created.v1', 'todo.task.updated.v1']);
    expect(events[1]?.data).toEqual({ id, version: 2, changes: { priority: 'high' } });
  });

  it('answers the chat with the same task functions, so the events are the same', async () => {
    const res = await api('POST', '/v1/chat', {
      message: 'add water the plants tomorrow 8am',
      timezone: 'America/New_York',
    });
    expect(res.status).toBe(200);
    expect(res.json.actions[0].type).toBe('created');
    const id = res.json.tasks[0].id as string;
    const events = parsed(ofTask(id)(await taskEvents.readUntil((rs) => ofTask(id)(rs).length >= 1, 30_000)));
    expect(events[0]).toMatchObject({
      type: 'todo.task.created.v1',
      userid: user,
      data: { title: 'water the plants' },
    });
  });

  it('loses no acknowledged write when chat-api is killed -9 under load', async () => {
    const acked: string[] = [];
    let writing = true;
    const writer = async () => {
      while (writing) {
        try {
          const res = await api('POST', '/v1/tasks', { title: 'written under a kill -9' });
          if (res.status === 201) acked.push(res.json.id as string);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await new Promise((r) => setTimeout(r, 1500));
    await app.stop('SIGKILL');
    writing = false;
    await Promise.all(writers);
    expect(acked.length, 'writes were acknowledged before the kill').toBeGreaterThan(20);

    app = startChatApi();
    await app.ready();
    const metrics = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } })
    ).text();
    console.log(
      `kill -9: ${acked.length} writes acknowledged; outbox after restart: ${/^outbox_pending (\d+)/m.exec(metrics)?.[1]}`,
    );
    const arrived = (rs: KafkaRecord[]) =>
      new Set(rs.filter((r) => r.value.includes('todo.task.created.v1')).map((r) => r.key));
    const records = await taskEvents.readUntil((rs) => acked.every((id) => arrived(rs).has(id)), 60_000);
    const seen = arrived(records);
    expect(
      acked.filter((id) => !seen.has(id)),
      'acknowledged writes whose event never reached Kafka',
    ).toEqual([]);
  });
});
