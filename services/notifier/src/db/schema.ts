import type { ColumnType, Generated } from 'kysely';

type Instant = ColumnType<Date, Date | string, Date | string>;

/** notifier's tables (prefixed `notifier_`: they share chat-api's database, never its names). */
export interface Database {
  notifier_notifications: NotificationsTable;
}

export interface NotificationsTable {
  id: string;
  seq: Generated<string>;
  user_id: string;
  task_id: string;
  title: string;
  due_at: Instant | null;
  remind_at: Instant;
  occurrence: Instant;
  fired_at: Instant;
  created_at: Generated<Date>;
  read_at: Instant | null;
  delivery_status: Generated<string>;
  delivery_attempts: Generated<number>;
  delivery_error: string | null;
  next_attempt_at: Generated<Date>;
}
