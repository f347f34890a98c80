import type { TodoEvent, Topic } from '@todo/events';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, NewOutboxRow } from '../db/schema.ts';

/** The channel the relay LISTENs on; NOTIFY is delivered when the writing transaction commits. */
export const OUTBOX_CHANNEL = 'todo_outbox';

/** Outbox rows for events; Kafka key = the event's subject (the task id). */
export function outboxRows(events: { event: TodoEvent; topic: Topic }[]): NewOutboxRow[] {
  return events.map(({ event, topic }) => ({
    event_id: event.id,
    topic,
    partition_key: event.subject,
    event: JSON.stringify(event),
    last_error: null,
  }));
}

/**
 * Adds events to the outbox inside the caller's transaction (they exist exactly when the change
 * they describe does) and wakes the relay, in one statement.
 */
export async function enqueueEvents(
  trx: Transaction<Database> | Kysely<Database>,
  events: { event: TodoEvent; topic: Topic }[],
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .with('queued', (db) => db.insertInto('outbox').values(outboxRows(events)).returning('id'))
    .selectNoFrom(
      sql<string>`pg_notify(${OUTBOX_CHANNEL}, (select count(*) from queued)::text)`.as('notified'),
    )
    .execute();
}
