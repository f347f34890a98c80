import { uuidv7 } from '@todo/events';
import { createLogger, migrate, openDatabase } from '@todo/platform';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewNotification, NotificationStore } from '../notification.ts';
import { NOTIFIER_MIGRATIONS } from './migrations.ts';
import { createPgStore } from './pg-store.ts';
import type { Database } from './schema.ts';

const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('TEST_DATABASE_URL is not set: eval "$(scripts/stack env)" first');
const db = openDatabase<Database>({
  url,
  app: 'notifier-test',
  max: 4,
  log: createLogger({ name: 'test', level: 'silent' }),
});
const store = createPgStore(db);

/** One notification through the store's batched insert: the row, or null for a duplicate. */
async function insertOne(store: NotificationStore, n: NewNotification) {
  const [stored] = await store.insertMany([n]);
  return stored ?? null;
}

beforeAll(async () => {
  await sql`drop table if exists notifier_notifications, notifier_migrations, notifier_migrations_lock`.execute(
    db,
  );
  expect(await migrate(db, { app: 'notifier', migrations: NOTIFIER_MIGRATIONS })).toEqual([
    '0001-notifications',
    '0002-delivery-retries',
  ]);
  // A second run (another replica, the next start) changes nothing.
  expect(await migrate(db, { app: 'notifier', migrations: NOTIFIER_MIGRATIONS })).toEqual([]);
});
afterAll(() => db.destroy());

function notification(userId: string, minute: number) {
  return {
    id: uuidv7(),
    user_id: userId,
    task_id: uuidv7(),
    title: `task ${minute}`,
    due_at: null,
    remind_at: `2026-03-01T09:0${minute}:00.000Z`,
    occurrence: `2026-03-01T09:0${minute}:00.000Z`,
    fired_at: `2026-03-01T09:0${minute}:00.050Z`,
  };
}

describe('the PostgreSQL notification store', () => {
  it('inserts once per event id: the duplicate returns null and changes nothing', async () => {
    const n = notification('pg-user-1', 0);
    const first = await insertOne(store, n);
    expect(first).toMatchObject({ ...n, delivery_status: 'pending', delivery_attempts: 0, read_at: null });
    expect(await insertOne(store, { ...n, title: 'changed' })).toBeNull();
    const [row] = await store.list('pg-user-1', { limit: 10, unreadOnly: false });
    expect(row?.title).toBe('task 0');
  });

  it('lists per user newest first with a seq cursor and an unread filter; since() replays in order', async () => {
    const ids = [];
    for (let i = 1; i <= 4; i++) ids.push((await insertOne(store, notification('pg-user-2', i)))?.id);
    await insertOne(store, notification('pg-user-3', 1));
    const page1 = await store.list('pg-user-2', { limit: 2, unreadOnly: false });
    expect(page1.map((r) => r.id)).toEqual([ids[3], ids[2]]);
    const page2 = await store.list('pg-user-2', {
      limit: 2,
      unreadOnly: false,
      beforeSeq: page1[1]?.seq ?? 0,
    });
    expect(page2.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    await store.markRead('pg-user-2', ids[3] as string, new Date('2026-03-01T10:00:00Z'));
    const unread = await store.list('pg-user-2', { limit: 10, unreadOnly: true });
    expect(unread.map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    const replay = await store.since('pg-user-2', page2[1]?.seq ?? 0, 10);
    expect(replay.map((r) => r.id)).toEqual([ids[1], ids[2], ids[3]]);
  });

  it("keeps the first read time, and never marks another user's notification", async () => {
    const n = await insertOne(store, notification('pg-user-4', 1));
    const id = n?.id as string;
    const first = await store.markRead('pg-user-4', id, new Date('2026-03-01T10:00:00Z'));
    const second = await store.markRead('pg-user-4', id, new Date('2026-03-01T11:00:00Z'));
    expect(second?.read_at).toBe(first?.read_at);
    expect(await store.markRead('pg-user-5', id, new Date())).toBeNull();
  });

  it('claims due deliveries once across replicas, retries on the database clock, gives up and replays', async () => {
    const a = await insertOne(store, notification('pg-user-6', 1));
    const b = await insertOne(store, notification('pg-user-6', 2));
    // Two replicas claiming at once never get the same delivery.
    const [one, two] = await Promise.all([
      store.claimDeliveries(1, 60_000),
      store.claimDeliveries(1, 60_000),
    ]);
    const claimed = [...(one ?? []), ...(two ?? [])]
      .map((n) => n.id)
      .filter((id) => id === a?.id || id === b?.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    await store.recordFailedDelivery(a?.id as string, {
      error: 'webhook_status_500',
      retryInMs: 3_600_000,
    });
    await store.recordFailedDelivery(b?.id as string, {
      error: 'webhook_timeout',
      retryInMs: null,
    });
    const [rowB, rowA] = await store.list('pg-user-6', { limit: 2, unreadOnly: false });
    expect(rowA).toMatchObject({
      delivery_status: 'pending',
      delivery_attempts: 1,
      delivery_error: 'webhook_status_500',
    });
    expect(rowB).toMatchObject({
      delivery_status: 'failed',
      delivery_attempts: 1,
      delivery_error: 'webhook_timeout',
    });
    // Not due for an hour, and given up: nothing to claim of these two.
    const due = (await store.claimDeliveries(100, 60_000)).map((n) => n.id);
    expect(due).not.toContain(a?.id);
    expect(due).not.toContain(b?.id);
    // A replay makes the given-up one due again.
    expect(await store.replayFailedDeliveries([b?.id as string])).toBe(1);
    expect((await store.claimDeliveries(100, 60_000)).map((n) => n.id)).toContain(b?.id);
  });
});
