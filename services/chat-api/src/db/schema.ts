import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** The tables of chat-api, as kysely sees them. */
export interface Database {
  tasks: TasksTable;
  outbox: OutboxTable;
  user_preferences: UserPreferencesTable;
}

export interface TasksTable {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  status: 'open' | 'completed';
  priority: 'low' | 'medium' | 'high';
  tags: string[];
  due_at: Date | null;
  remind_at: Date | null;
  recurrence: string;
  timezone: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  /** The occurrence chat-api expects the reminder to fire next, and its number in the series. */
  next_remind_at: Date | null;
  next_remind_index: number | null;
  /** When the reminder sweep last re-announced it. */
  sweep_announced_at: Date | null;
}
export type TaskRow = Selectable<TasksTable>;

/**
 * Events written in the same transaction as the change they describe; the relay publishes
 * them in `id` order per `partition_key` and deletes them once Kafka has them.
 */
export interface OutboxTable {
  /** bigserial: pg returns it as a string. */
  id: ColumnType<string, never, never>;
  event_id: string;
  topic: string;
  partition_key: string;
  /** The finished CloudEvent. */
  event: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
}
export type NewOutboxRow = Insertable<OutboxTable>;
export type OutboxRow = Selectable<OutboxTable>;

/** What a user set once (preferences/preferences-store.ts). */
export interface UserPreferencesTable {
  user_id: string;
  /** An IANA zone: the chat reads dates in it when a request names none. */
  timezone: string;
  updated_at: Date;
}
