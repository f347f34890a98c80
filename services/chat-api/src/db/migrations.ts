import { sqlMigration } from '@todo/platform';

/**
 * chat-api's migrations, in order (run by @todo/platform's `migrate` with app `chat-api`: tables
 * `chat_api_migrations*`). Each runs once, in its own transaction; a migration that has run is
 * never changed in what it does, a new one is added.
 */
export const CHAT_API_MIGRATIONS = {
  '0001-tasks-and-outbox': sqlMigration(
    `
    create table "tasks" (
      "id" uuid primary key,
      "user_id" text not null,
      "title" text not null,
      "description" text,
      "status" text not null check (status in ('open', 'completed')),
      "priority" text not null check (priority in ('low', 'medium', 'high')),
      "tags" text[] default '{}' not null,
      "due_at" timestamptz,
      "remind_at" timestamptz,
      "recurrence" text default 'none' not null,
      "timezone" text not null,
      "version" integer not null check (version >= 1),
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "completed_at" timestamptz
    );
    -- Listing a user's tasks newest first, and cursor pagination on (created_at, id).
    create index "tasks_user_created" on "tasks" ("user_id", "created_at", "id");
    create index "tasks_user_due" on "tasks" ("user_id", "due_at");
    create index tasks_user_tags on tasks using gin (tags);
    -- The reminder sweep: open tasks whose reminder falls within the horizon.
    create index tasks_open_remind on tasks (remind_at) where status = 'open' and remind_at is not null;

    -- Events written in the same transaction as the change they describe (outbox-writer.ts).
    create table "outbox" (
      "id" bigserial primary key,
      "event_id" uuid not null unique,
      "topic" text not null,
      "partition_key" text not null,
      "event" jsonb not null,
      "created_at" timestamptz default now() not null,
      "attempts" integer default 0 not null,
      "next_attempt_at" timestamptz default now() not null,
      "last_error" text
    );
    -- The relay's claim: the oldest row of each key.
    create index "outbox_key_id" on "outbox" ("partition_key", "id");
    `,
    `
    drop table "outbox";
    drop table "tasks";
    `,
  ),
  // The relay keeps order per (topic, key), as Kafka does: task-events and task-updates of one
  // task need not wait for each other.
  '0002-outbox-order-per-topic': sqlMigration(
    `
    drop index "outbox_key_id";
    create index "outbox_topic_key_id" on "outbox" ("topic", "partition_key", "id");
    `,
    `
    drop index "outbox_topic_key_id";
    create index "outbox_key_id" on "outbox" ("partition_key", "id");
    `,
  ),
  // The reminder chat-api expects to fire next (kept by the write path and by the reminders it
  // sees fire): the reminder sweep re-announces only what is overdue and has not fired.
  '0003-expected-reminder': sqlMigration(
    `
    alter table "tasks" add column "next_remind_at" timestamptz, add column "next_remind_index" integer;
    update "tasks" set "next_remind_at" = "remind_at", "next_remind_index" = 1 where status = 'open' and remind_at is not null;
    drop index tasks_open_remind;
    create index tasks_reminder_expected on tasks (next_remind_at, id) where status = 'open' and next_remind_at is not null;
    `,
    `
    drop index tasks_reminder_expected;
    create index tasks_open_remind on tasks (remind_at) where status = 'open' and remind_at is not null;
    alter table "tasks" drop column "next_remind_at", drop column "next_remind_index";
    `,
  ),
  // When the sweep last re-announced a task: it waits before doing so again, so a pipeline that is
  // merely behind is not flooded with announcements of what it has yet to process.
  '0004-sweep-announced-at': sqlMigration(
    `alter table "tasks" add column "sweep_announced_at" timestamptz;`,
    `alter table "tasks" drop column "sweep_announced_at";`,
  ),
  // What a user set once and every request uses: the time zone the chat reads dates in when the
  // request names none (the page sets it from the browser).
  '0005-user-preferences': sqlMigration(
    `
    create table "user_preferences" (
      "user_id" text primary key,
      "timezone" text not null,
      "updated_at" timestamptz not null
    );
    `,
    `drop table "user_preferences";`,
  ),
  // Every create counts the user's open tasks (the quotas): from this index alone, however many
  // completed tasks the user has, instead of every row of theirs. Built inside the migration's
  // transaction, so writes to tasks wait while it builds (0.45 s for 580,000 rows here).
  '0006-open-tasks-per-user': sqlMigration(
    `create index "tasks_user_open" on "tasks" ("user_id", "recurrence") where status = 'open';`,
    `drop index "tasks_user_open";`,
  ),
};
