import { sqlMigration } from '@todo/platform';

/**
 * notifier's migrations, in order (run by @todo/platform's `migrate` with app `notifier`: tables
 * `notifier_migrations*`); a migration that has run is never changed in what it does, a new one
 * is added. Its tables are prefixed `notifier_`: they may share chat-api's database.
 */
export const NOTIFIER_MIGRATIONS = {
  '0001-notifications': sqlMigration(
    `
    create table "notifier_notifications" (
      -- The ReminderDue event id: inserting a duplicate is a no-op (on conflict do nothing).
      "id" uuid primary key,
      "seq" bigserial not null unique,
      "user_id" text not null,
      "task_id" uuid not null,
      "title" text not null,
      "due_at" timestamptz,
      "remind_at" timestamptz not null,
      "occurrence" timestamptz not null,
      "fired_at" timestamptz not null,
      "created_at" timestamptz default now() not null,
      "read_at" timestamptz,
      "delivery_status" text default 'pending' not null check (delivery_status in ('pending', 'delivered', 'failed')),
      "delivery_attempts" integer default 0 not null,
      "delivery_error" text
    );
    -- A user's list, newest first, and the SSE resume (seq after the last one seen).
    create index "notifier_notifications_user_seq" on "notifier_notifications" ("user_id", "seq");
    create index notifier_notifications_user_unread on notifier_notifications (user_id, seq) where read_at is null;
    create index notifier_notifications_pending on notifier_notifications (created_at) where delivery_status = 'pending';
    `,
    `drop table "notifier_notifications";`,
  ),
  // Webhook deliveries are retried with backoff until they succeed or their attempts run out
  // (then `failed`: dead-lettered, replayable); `next_attempt_at` is also a claim's lease, so a
  // replica that died mid-delivery leaves the row to be claimed again.
  '0002-delivery-retries': sqlMigration(
    `
    alter table "notifier_notifications" add column "next_attempt_at" timestamptz default now() not null;
    drop index notifier_notifications_pending;
    create index notifier_deliveries_due on notifier_notifications (next_attempt_at) where delivery_status = 'pending';
    `,
    `
    drop index notifier_deliveries_due;
    create index notifier_notifications_pending on notifier_notifications (created_at) where delivery_status = 'pending';
    alter table "notifier_notifications" drop column "next_attempt_at";
    `,
  ),
};
