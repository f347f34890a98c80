/**
 * The outbox relay on the stack's real PostgreSQL (TEST_DATABASE_URL): migrations from an
 * empty schema, several relays at once, waking, user isolation.
 */
import { createLogger, migrate, openDatabase } from '@todo/platform';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/database.ts';
import { CHAT_API_MIGRATIONS } from '../db/migrations.ts';
import type { Database } from '../db/schema.ts';
import { createTask } from '../tasks/create-task.ts';
import { listTasks } from '../tasks/read-tasks.ts';
import type { TaskContext } from '../tasks/task-context.ts';
import { DEFAULT_TASK_LIMITS } from '../tasks/task-limits.ts';
import { updateTaskFields } from '../tasks/update-task.ts';
import { plainTaskInput } from '../testing/task-input.ts';
import { createOutboxRelay, type PublishFn } from './outbox-relay.ts';

const url = process.env.TEST_DATABASE_URL;
if (!url)
  throw new Error('TEST_DATABASE_URL is not set: run scripts/stack up and eval "$(scripts/stack env)"');
const log = createLogger({ name: 'relay-int', level: 'silent' });
const dbs: Db[] = [];
const open = (max: number) => {
  const made = openDatabase<Database>({ url, app: 'chat-api-test', max, log });
  dbs.push(made);
  return made;
};
let db: Db;

const ctx = (userId: string): TaskContext => ({
  db,
  userId,
  correlationId: 'int',
  now: () => new Date(),
  limits: DEFAULT_TASK_LIMITS,
});
const newTask = (user: string, title: string) => createTask({ ctx: ctx(user), input: plainTaskInput(title) });

/** A relay on the real database whose polling is too slow to matter: only wake() or stop() wakes it. */
const relayPolling60s = (publish: PublishFn) =>
  createOutboxRelay({ db, log, pollIntervalMs: 60_000, publish });

beforeAll(async () => {
  db = open(8);
  await sql`drop schema public cascade`.execute(db);
  await sql`create schema public`.execute(db);
});
afterAll(async () => {
  for (const d of dbs) await d.destroy();
});

describe('chat-api on real PostgreSQL', () => {
  it('migrates an empty database, and a second run is a no-op', async () => {
    expect(await migrate(db, { app: 'chat-api', migrations: CHAT_API_MIGRATIONS })).toEqual([
      '0001-tasks-and-outbox',
      '0002-outbox-order-per-topic',
      '0003-expected-reminder',
      '0004-sweep-announced-at',
      '0005-user-preferences',
      '0006-open-tasks-per-user',
    ]);
    expect(await migrate(db, { app: 'chat-api', migrations: CHAT_API_MIGRATIONS })).toEqual([]);
  });

  it('two relays at once never publish an event twice nor reorder a task events', async () => {
    const tasks = [];
    for (let i = 0; i < 40; i++) tasks.push(await newTask('many', `t${i}`));
    for (let v = 2; v <= 5; v++) {
      for (const t of tasks)
        await updateTaskFields({ ctx: ctx('many'), id: t.id, input: { title: `${t.title} v${v}` } });
    }
    const published: { relay: string; topic: string; key: string; id: string; version: number }[] = [];
    const publisher =
      (relay: string): PublishFn =>
      async (topic, entries) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        for (const { event, partitionKey } of entries) {
          const e = event as { id: string; data: { version: number } };
          published.push({ relay, topic, key: partitionKey, id: e.id, version: e.data.version });
        }
        return new Map();
      };
    const relays = ['r1', 'r2'].map((name) => {
      const own = open(4);
      return {
        name,
        relay: createOutboxRelay({
          db: own,
          log,
          publish: publisher(name),
          batchSize: 7,
        }),
      };
    });
    await Promise.all(
      relays.map(async ({ relay }) => {
        let idle = 0;
        while (idle < 3) idle = (await relay.runOnce()) === 0 ? idle + 1 : 0;
      }),
    );

    expect(published).toHaveLength(40 * 5 * 2);
    expect(new Set(published.map((p) => p.id)).size, 'no event twice').toBe(published.length);
    expect(new Set(published.map((p) => p.relay)).size, 'both relays did work').toBe(2);
    for (const t of tasks) {
      for (const topic of ['task-events', 'task-updates']) {
        const versions = published.filter((p) => p.key === t.id && p.topic === topic).map((p) => p.version);
        expect(versions, `${topic} ${t.id}`).toEqual([1, 2, 3, 4, 5]);
      }
    }
    expect(
      Number((await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db)).rows[0]?.n),
    ).toBe(0);
  });

  it('sleeps until woken: a committed event waits for wake(), then goes out long before the poll', async () => {
    const seen: number[] = [];
    const relay = relayPolling60s(async (_topic, entries) => {
      for (const _ of entries) seen.push(Date.now());
      return new Map();
    });
    relay.start();
    await new Promise((r) => setTimeout(r, 300)); // its first round found nothing; it sleeps
    await newTask('wake', 'wake up');
    // Not woken: the events stay (the poll is a minute away).
    await new Promise((r) => setTimeout(r, 700));
    expect(seen.length).toBe(0);
    const t0 = Date.now();
    relay.wake();
    while (seen.length < 2 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    await relay.stop(1000);
    expect(seen.length).toBe(2);
    expect(Math.max(...seen) - t0).toBeLessThan(2000);
  });

  it("publishes a task's next event at once after its head, even when another replica was the one woken for it", async () => {
    // Relay B holds the head row of a task (its publish waits on `release`); the task's next
    // write wakes relay A, whose claim must skip that row. Both poll once a minute only.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const byB: { version: number; at: number }[] = [];
    const byA: number[] = [];
    const b = createOutboxRelay({
      db: open(2),
      log,
      pollIntervalMs: 60_000,
      publish: async (_topic, entries) => {
        await held;
        for (const { event } of entries)
          byB.push({ version: (event as { data: { version: number } }).data.version, at: Date.now() });
        return new Map();
      },
    });
    const a = createOutboxRelay({
      db: open(2),
      log,
      pollIntervalMs: 60_000,
      publish: async (_topic, entries) => {
        for (const { event } of entries) byA.push((event as { data: { version: number } }).data.version);
        return new Map();
      },
    });
    const task = await newTask('heads', 'v1');
    b.start();
    await new Promise((r) => setTimeout(r, 300)); // B's first round holds version 1 of both topics
    a.start(); // A's first round skips the rows B holds, and finds nothing else
    await new Promise((r) => setTimeout(r, 300));
    await updateTaskFields({ ctx: ctx('heads'), id: task.id, input: { title: 'v2' } });
    a.wake();
    await new Promise((r) => setTimeout(r, 300));
    expect(byA, 'A could not take version 2 while B held version 1').toEqual([]);
    const released = Date.now();
    release();
    const deadline = Date.now() + 5_000;
    while (byB.filter((p) => p.version === 2).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.stop(1000), b.stop(1000)]);
    expect(byB.map((p) => p.version).sort()).toEqual([1, 1, 2, 2]);
    expect(Math.max(...byB.map((p) => p.at)) - released).toBeLessThan(2_000);
  });

  it('vacuums the outbox it deletes from, once enough rows went out', async () => {
    const lastVacuum = async () =>
      (
        await sql<{ at: Date | null }>`
          select last_vacuum as at from pg_stat_user_tables where relname = 'outbox'`.execute(db)
      ).rows[0]?.at ?? null;
    const before = await lastVacuum();
    let published = 0;
    const relay = createOutboxRelay({
      db,
      log,
      pollIntervalMs: 60_000,
      vacuumEveryRows: 20,
      publish: async (_topic, entries) => {
        published += entries.length;
        return new Map();
      },
    });
    relay.start();
    for (let i = 0; i < 15; i++) await newTask('vacuum', `v${i}`);
    relay.wake();
    const deadline = Date.now() + 10_000;
    let after = before;
    while (Date.now() < deadline && (published < 30 || after?.getTime() === before?.getTime())) {
      await new Promise((r) => setTimeout(r, 100));
      after = await lastVacuum();
    }
    await relay.stop(1000);
    expect(published).toBe(30);
    expect(after, 'a vacuum of outbox after the relay published').not.toBeNull();
    expect(after?.getTime()).not.toBe(before?.getTime());
  });

  it('drains on stop: what was written before SIGTERM is published before the relay ends', async () => {
    const seen: string[] = [];
    const relay = relayPolling60s(async (_topic, entries) => {
      await new Promise((r) => setTimeout(r, 20));
      for (const { event } of entries) seen.push((event as { id: string }).id);
      return new Map();
    });
    for (let i = 0; i < 10; i++) await newTask('drain', `d${i}`);
    relay.start();
    await relay.stop(10_000);
    expect(seen).toHaveLength(20);
    expect(
      Number((await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db)).rows[0]?.n),
    ).toBe(0);
  });

  it('scopes every query by user', async () => {
    const mine = await newTask('isolated-a', 'only mine');
    const other = await listTasks({ ctx: ctx('isolated-b'), input: { limit: 100 } });
    expect(other.items.map((t) => t.id)).not.toContain(mine.id);
    await expect(
      updateTaskFields({ ctx: ctx('isolated-b'), id: mine.id, input: { title: 'stolen' } }),
    ).rejects.toThrow(/not found/);
  });
});
