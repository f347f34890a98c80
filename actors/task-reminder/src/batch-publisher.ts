import type { Topic } from '@todo/events';
import { createBatcher, type Sidecar } from '@todo/platform';

export interface BatchPublisherOptions {
  sidecar: Pick<Sidecar, 'publishBulk'>;
  /** Events per bulk publish at most [200]. */
  maxBatch?: number;
  /** How long an event waits for others to join its batch [5 ms]. */
  maxWaitMs?: number;
}

/** A publisher that each caller awaits for its own event, while the sidecar gets batches. */
export type Publish = (event: { id: string; subject: string }, topic: Topic) => Promise<void>;

/**
 * Hands concurrent publishes to Dapr's bulk publish: events wait up to `maxWaitMs` (or until
 * `maxBatch` are waiting) and go as one call per topic, which the Kafka component sends as one
 * produce. Each caller's promise settles with its own entry: resolved once daprd accepted it,
 * rejected when its entry (or the whole call) failed — so a reminder callback still re-arms on a
 * failure, as with a single publish. In a storm of reminders firing at once this turns thousands
 * of publishes (each an HTTP call, a daprd produce, a Kafka request) into a few dozen.
 */
export function createBatchPublisher(options: BatchPublisherOptions): Publish {
  type Event = { id: string; subject: string };
  const byTopic = new Map<Topic, (event: Event) => Promise<string | undefined>>();
  const batcherFor = (topic: Topic) => {
    let publish = byTopic.get(topic);
    if (!publish) {
      publish = createBatcher<Event, string | undefined>({
        maxBatch: options.maxBatch ?? 200,
        maxWaitMs: options.maxWaitMs ?? 5,
        async run(events) {
          // Entry ids are the event ids: the same id twice in a batch (a duplicate firing) is
          // sent once, and both callers settle with its outcome.
          const unique = new Map(events.map((e) => [e.id, e]));
          const failed = await options.sidecar.publishBulk(
            topic,
            [...unique.values()].map((e) => ({ id: e.id, event: e, partitionKey: e.subject })),
          );
          return events.map((e) => failed.get(e.id));
        },
      });
      byTopic.set(topic, publish);
    }
    return publish;
  };
  return async (event, topic) => {
    const error = await batcherFor(topic)(event);
    if (error !== undefined) throw new Error(`publish of ${event.id} failed: ${error}`);
  };
}
