import { uuidv7 } from '@todo/events';
import { createTestDatabase } from '@todo/platform/testing-db';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NOTIFIER_MIGRATIONS } from './db/migrations.ts';
import { createPgStore } from './db/pg-store.ts';
import type { Database } from './db/schema.ts';
import type { NewNotification, NotificationStore } from './notification.ts';
import { startRetention } from './retention.ts';

/** One notification through the store's batched insert: the row, or null for a duplicate. */
async function insertOne(store: NotificationStore, n: NewNotification) {
  const [stored] = await store.insertMany([n]);
  return stored ?? null;
}

describe('notification retention', () => {
  it('deletes what is older than the retention, in batches, and keeps the rest', async () => {
    const { db, close } = await createTestDatabase<Database>({
      app: 'notifier',
      migrations: NOTIFIER_MIGRATIONS,
    });
    const store = createPgStore(db);
    const insert = (title: string) =>
      insertOne(store, {
        id: uuidv7(),
        user_id: 'u',
        task_id: uuidv7(),
        title,
        due_at: null,
        remind_at: '2026-01-01T09:00:00.000Z',
        occurrence: '2026-01-01T09:00:00.000Z',
        fired_at: '2026-01-01T09:00:00.000Z',
      });
    for (let i = 0; i < 5; i++) await insert('old');
    for (let i = 0; i < 2; i++) await insert('recent');
    await db
      .updateTable('notifier_notifications')
      .set({ created_at: new Date(Date.now() - 40 * 86_400_000) })
      .where('title', '=', 'old')
      .execute();
    const retention = startRetention({
      store,
      log: pino({ level: 'silent' }),
      retentionDays: 30,
      batch: 2,
      everyMs: 3_600_000,
    });
    retention.stop();
    // The round started at start-up may still be under way: one more settles it.
    await retention.runOnce();
    const left = await db.selectFrom('notifier_notifications').select('title').execute();
    expect(left.map((r) => r.title)).toEqual(['recent', 'recent']);
    await close();
  });
});
