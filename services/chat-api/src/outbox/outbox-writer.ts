import type { TodoEvent, Topic } from '@todo/events';
import { type QueryCreator, sql } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import type { Database, NewOutboxRow } from '../db/schema.ts';

/** The channel the relay LISTENs on; NOTIFY is delivered when the writing transaction commits. */
export const OUTBOX_CHANNEL = 'todo_outbox';

/** An event as the task functions produce it: the finished CloudEvent and the topic it goes to. */
export interface OutboxEvent {
  event: TodoEvent;
  topic: Topic;
}

/** Outbox rows for events; Kafka key = the event's subject (the task id). */
function outboxRows(events: readonly OutboxEvent[]): NewOutboxRow[] {
  return events.map(({ event, topic }) => ({
    event_id: event.id,
    topic,
    partition_key: event.subject,
    event: JSON.stringify(event),
    last_error: null,
  }));
}

/**
 * The one way rows enter the outbox: a CTE named `queued` that inserts them, and the NOTIFY that
 * wakes the relay once the transaction commits. Every write path composes it into its own
 * statement, so the events exist exactly when the change they describe does.
 *
 * @example db.with('inserted', ...).with('queued', queueEvents(events)).selectFrom('inserted')...select(notifyRelay())
 */
export function queueEvents(events: readonly OutboxEvent[]) {
  return (q: QueryCreator<Database>) => q.insertInto('outbox').values(outboxRows(events)).returning('id');
}

/** The select item that tells the relay how many rows `queued` wrote (delivered on commit). */
export function notifyRelay() {
  return sql<string>`pg_notify(${OUTBOX_CHANNEL}, (select count(*) from queued)::text)`.as('notified');
}

/** Adds events to the outbox inside the caller's transaction and wakes the relay, in one statement. */
export async function enqueueEvents(trx: Trx | Db, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx.with('queued', queueEvents(events)).selectNoFrom(notifyRelay()).execute();
}
