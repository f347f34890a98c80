import type { Topic } from '@todo/events';
import type { Sidecar } from '@todo/platform';

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
  const maxBatch = options.maxBatch ?? 200;
  const maxWaitMs = options.maxWaitMs ?? 5;
  type Waiting = {
    event: { id: string; subject: string };
    resolve: () => void;
    reject: (e: unknown) => void;
  };
  const queues = new Map<Topic, { waiting: Waiting[]; timer: NodeJS.Timeout | undefined }>();

  function flush(topic: Topic) {
    const queue = queues.get(topic);
    if (!queue || queue.waiting.length === 0) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    const batch = queue.waiting.splice(0, maxBatch);
    if (queue.waiting.length > 0) queue.timer = setTimeout(() => flush(topic), 0);
    // Entry ids: the event ids (unique within a batch: one event per reminder occurrence).
    const byId = new Map(batch.map((w) => [w.event.id, w]));
    options.sidecar
      .publishBulk(
        topic,
        [...byId.values()].map((w) => ({ id: w.event.id, event: w.event, partitionKey: w.event.subject })),
      )
      .then(
        (failed) => {
          for (const [id, w] of byId) {
            const error = failed.get(id);
            if (error === undefined) w.resolve();
            else w.reject(new Error(`publish of ${id} failed: ${error}`));
          }
          // The same id twice in a batch (a duplicate firing): both settle with it.
          for (const w of batch)
            if (byId.get(w.event.id) !== w)
              failed.has(w.event.id) ? w.reject(new Error('publish failed')) : w.resolve();
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      );
  }

  return (event, topic) =>
    new Promise<void>((resolve, reject) => {
      let queue = queues.get(topic);
      if (!queue) {
        queue = { waiting: [], timer: undefined };
        queues.set(topic, queue);
      }
      queue.waiting.push({ event, resolve, reject });
      if (queue.waiting.length >= maxBatch) flush(topic);
      else queue.timer ??= setTimeout(() => flush(topic), maxWaitMs);
    });
}
