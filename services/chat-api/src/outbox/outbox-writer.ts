import type { TodoEvent, Topic } from '@todo/events';
import type { QueryCreator } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import type { Database, NewOutboxRow } from '../db/schema.ts';

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
 * The one way rows enter the outbox: a CTE named `queued` that inserts them. Every write path
 * composes it into its own statement or transaction, so the events exist exactly when the change
 * they describe does. The relay is woken after the commit (`TaskContext.committed`); no NOTIFY:
 * PostgreSQL serialises the commits of notifying transactions on one global lock, which halved
 * the commits a second the database could take (measured; docs/architecture.md).
 *
 * @example db.with('inserted', ...).with('queued', queueEvents(events)).selectFrom('inserted')...
 */
export function queueEvents(events: readonly OutboxEvent[]) {
  return (q: QueryCreator<Database>) => q.insertInto('outbox').values(outboxRows(events));
}

/** Adds events to the outbox inside the caller's transaction. */
export async function enqueueEvents(trx: Trx | Db, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx.insertInto('outbox').values(outboxRows(events)).execute();
}
