import { createLogger, createSidecar } from '@todo/platform';
import { FAKE_SIDECAR, FAKE_SIDECAR_OPTIONS, type FakeSidecar, fakeSidecar } from '@todo/platform/testing';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.ts';
import { createTask } from '../tasks/create-task.ts';
import type { TaskContext } from '../tasks/task-context.ts';
import { DEFAULT_TASK_LIMITS } from '../tasks/task-limits.ts';
import { updateTaskFields } from '../tasks/update-task.ts';
import { createTestDb } from '../testing/pglite-db.ts';
import { plainTaskInput } from '../testing/task-input.ts';
import { createOutboxRelay, publishThrough } from './outbox-relay.ts';

const server = setupServer();
let fake: FakeSidecar;
/** What the sidecar accepted, one row per event, in order. */
const sent = () =>
  fake.published.map((m) => ({
    topic: m.topic,
    key: m.partitionKey,
    contentType: m.contentType,
    body: m.event,
  }));

let db: Db;
let close: () => Promise<void>;
const ctx = (): TaskContext => ({
  db,
  userId: 'relay-user',
  correlationId: 'corr-1',
  now: () => new Date(),
  limits: DEFAULT_TASK_LIMITS,
});
const newTask = (title: string) => createTask({ ctx: ctx(), input: plainTaskInput(title) });
function relay() {
  return createOutboxRelay({
    db,
    log: createLogger({ name: 'relay-test', level: 'silent' }),
    publish: publishThrough(createSidecar(FAKE_SIDECAR_OPTIONS)),
    backoffBaseMs: 60_000,
    backoffMaxMs: 120_000,
  });
}

beforeAll(async () => {
  server.listen({ onUnhandledFrame: 'error' });
  const made = await createTestDb();
  db = made.db;
  close = made.close;
});
beforeEach(async () => {
  fake = fakeSidecar({ appId: 'chat-api' });
  server.use(...fake.handlers);
  await db.deleteFrom('outbox').execute();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await close();
});

describe('the outbox relay against a mocked sidecar', () => {
  it('publishes each event as is: path, Kafka key, content type, API token, envelope; then empties the outbox', async () => {
    const task = await newTask('relay me');
    const queued = await db.selectFrom('outbox').select(['event']).orderBy('id').execute();

    expect(await relay().runOnce()).toBe(2);

    expect(fake.calls.map((c) => c.path).sort()).toEqual([
      '/v1.0/publish/bulk/kafka-pubsub/task-events',
      '/v1.0/publish/bulk/kafka-pubsub/task-updates',
    ]);
    expect(fake.calls.every((c) => c.headers.get('dapr-api-token') === FAKE_SIDECAR_OPTIONS.apiToken)).toBe(
      true,
    );
    for (const s of sent()) {
      expect(s.key).toBe(task.id);
      expect(s.contentType).toBe('application/cloudevents+json');
    }
    expect(sent().find((s) => s.topic === 'task-events')?.body).toEqual(queued[0]?.event);
    expect(await db.selectFrom('outbox').selectAll().execute()).toEqual([]);
  });

  it('keeps a task events in order: one task head at a time, the next only after the first is sent', async () => {
    const task = await newTask('v1');
    await updateTaskFields({ ctx: ctx(), id: task.id, input: { title: 'v2' } });
    await updateTaskFields({ ctx: ctx(), id: task.id, input: { title: 'v3' } });
    const r = relay();
    // Three rounds at most per key: task-events and task-updates share the key (the task id).
    while ((await r.runOnce()) > 0) {}
    const versions = sent()
      .filter((s) => s.topic === 'task-events')
      .map((s) => (s.body.data as { version: number }).version);
    expect(versions).toEqual([1, 2, 3]);
  });

  it('when the sidecar answers 500: keeps the event, backs off, holds the task later events, lets other tasks through', async () => {
    const a = await newTask('A');
    await updateTaskFields({ ctx: ctx(), id: a.id, input: { title: 'A2' } });
    const b = await newTask('B');
    fake.failEntry = (e) =>
      (e.event as { subject: string }).subject === a.id ? 'publish failed with 500' : undefined;

    const r = relay();
    while ((await r.runOnce()) > 0) {}

    expect(sent().every((s) => s.key === b.id)).toBe(true);
    expect(sent()).toHaveLength(2);
    const left = await db
      .selectFrom('outbox')
      .select(['topic', 'partition_key', 'attempts', 'next_attempt_at', 'last_error'])
      .orderBy('id')
      .execute();
    expect(left).toHaveLength(4);
    expect(left.every((row) => row.partition_key === a.id)).toBe(true);
    expect(left[0]?.attempts).toBe(1);
    expect(left[0]?.last_error).toMatch(/publish failed with 500/);
    expect(left[0]?.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    // Each topic's head failed once; the later events of A were not even tried.
    expect(left.map((row) => [row.topic, row.attempts])).toEqual([
      ['task-events', 1],
      ['task-updates', 1],
      ['task-events', 0],
      ['task-updates', 0],
    ]);

    // Once the backoff is over and the sidecar is healthy, A's events go, in order.
    fake.failEntry = undefined;
    await db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(0) })
      .execute();
    while ((await r.runOnce()) > 0) {}
    const aVersions = sent()
      .filter((s) => s.key === a.id && s.topic === 'task-events')
      .map((s) => (s.body.data as { version: number }).version);
    expect(aVersions).toEqual([1, 2]);
  });

  it('when the sidecar is down: nothing is lost, the rows wait with the error', async () => {
    server.use(http.post(`${FAKE_SIDECAR}/v1.0/publish/bulk/:pubsub/:topic`, () => HttpResponse.error()));
    await newTask('down');
    await relay().runOnce();
    const left = await db.selectFrom('outbox').select(['attempts', 'last_error']).execute();
    expect(left).toHaveLength(2);
    expect(left.every((row) => row.attempts === 1 && /failed/.test(row.last_error ?? ''))).toBe(true);
  });

  it('reports pending count, oldest age and latency', async () => {
    await newTask('stats');
    const r = relay();
    expect((await r.stats()).pending).toBe(2);
    await r.runOnce();
    const s = await r.stats();
    expect(s).toMatchObject({ pending: 0, published: 2, failures: 0 });
    expect(s.latencyMs.p50).toBeGreaterThanOrEqual(0);
  });
});
