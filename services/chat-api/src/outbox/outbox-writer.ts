import type { TodoEvent, Topic } from '@todo/events';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The channel the relay LISTENs on; NOTIFY is delivered when the writing transaction commits. */
export const OUTBOX_CHANNEL = 'todo_outbox';

/**
 * Adds events to the outbox inside the caller's transaction: they exist exactly when the
 * change they describe does. Kafka key = the event's subject (the task id).
 */
export async function enqueueEvents(
  trx: Transaction<Database>,
  events: { event: TodoEvent; topic: Topic }[],
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      events.map(({ event, topic }) => ({
        event_id: event.id,
        topic,
        partition_key: event.subject,
        event: JSON.stringify(event),
        last_error: null,
      })),
    )
    .execute();
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}
