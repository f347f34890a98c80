import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * notifier's migrations, in order (run by @todo/platform's `migrate` with app `notifier`: tables
 * `notifier_migrations*`); a migration that has run is never edited, a new one is added.
 */
export const NOTIFIER_MIGRATIONS: Record<string, Migration> = {
  '0001-notifications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notifier_notifications')
        // The ReminderDue event id: inserting a duplicate is a no-op (on conflict do nothing).
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'uuid', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('due_at', 'timestamptz')
        .addColumn('remind_at', 'timestamptz', (c) => c.notNull())
        .addColumn('occurrence', 'timestamptz', (c) => c.notNull())
        .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('read_at', 'timestamptz')
        .addColumn('delivery_status', 'text', (c) =>
          c.notNull().defaultTo('pending').check(sql`delivery_status in ('pending', 'delivered', 'failed')`),
        )
        .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('delivery_error', 'text')
        .execute();
      // A user's list, newest first, and the SSE resume (seq after the last one seen).
      await db.schema
        .createIndex('notifier_notifications_user_seq')
        .on('notifier_notifications')
        .columns(['user_id', 'seq'])
        .execute();
      await sql`create index notifier_notifications_user_unread on notifier_notifications (user_id, seq) where read_at is null`.execute(
        db,
      );
      await sql`create index notifier_notifications_pending on notifier_notifications (created_at) where delivery_status = 'pending'`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('notifier_notifications').execute();
    },
  },
};
