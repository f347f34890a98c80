import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * chat-api's migrations, in order (run by @todo/platform's `migrate` with app `chat-api`: tables
 * `chat_api_migrations*`). Each runs once, in its own transaction; a migration that has run is
 * never edited, a new one is added.
 */
export const CHAT_API_MIGRATIONS: Record<string, Migration> = {
  '0001-tasks-and-outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'completed')`))
        .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('low', 'medium', 'high')`))
        .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('due_at', 'timestamptz')
        .addColumn('remind_at', 'timestamptz')
        .addColumn('recurrence', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('completed_at', 'timestamptz')
        .execute();
      // Listing a user's tasks newest first, and cursor pagination on (created_at, id).
      await db.schema
        .createIndex('tasks_user_created')
        .on('tasks')
        .columns(['user_id', 'created_at', 'id'])
        .execute();
      await db.schema.createIndex('tasks_user_due').on('tasks').columns(['user_id', 'due_at']).execute();
      await sql`create index tasks_user_tags on tasks using gin (tags)`.execute(db);
      // The reminder sweep: open tasks whose reminder falls within the horizon.
      await sql`create index tasks_open_remind on tasks (remind_at) where status = 'open' and remind_at is not null`.execute(
        db,
      );

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('event', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_error', 'text')
        .execute();
      // The relay's claim: the oldest row of each key.
      await db.schema.createIndex('outbox_key_id').on('outbox').columns(['partition_key', 'id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('outbox').execute();
      await db.schema.dropTable('tasks').execute();
    },
  },
  '0002-outbox-order-per-topic': {
    // The relay keeps order per (topic, key), as Kafka does: task-events and task-updates of
    // one task need not wait for each other.
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('outbox_key_id').execute();
      await db.schema
        .createIndex('outbox_topic_key_id')
        .on('outbox')
        .columns(['topic', 'partition_key', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('outbox_topic_key_id').execute();
      await db.schema.createIndex('outbox_key_id').on('outbox').columns(['partition_key', 'id']).execute();
    },
  },
};
