import { type AnyTodoEvent, type EventType, PUBSUB, parseEvent, type Topic } from '@todo/events';
import type { Context, Env, Hono } from 'hono';
import type { Logger, RequestVariables } from './logger.ts';
import type { Sidecar } from './sidecar.ts';
import { requireSidecarToken } from './sidecar-token.ts';

/** What an app answers Dapr for one delivered message. */
export type Verdict = 'SUCCESS' | 'RETRY' | 'DROP';

export interface SubscriptionSpec<T extends EventType> {
  topic: Topic;
  /** The app's route Dapr delivers to (`/events/<topic>`). */
  route: string;
  /**
   * Where Dapr puts what the app DROPs, or what still fails after its retries. Left out only for
   * a topic whose messages are hints that lose nothing when dropped (notifier's live task
   * updates): daprd then logs a DROP and discards it.
   */
  deadLetterTopic?: Topic;
  /** The event types this subscriber takes; any other message is dropped to the dead-letter topic. */
  accept: readonly T[];
  /**
   * Handles one parsed event. Resolves with a verdict (nothing means SUCCESS); a throw is RETRY
   * (logged), so a dependency that is down delays the message instead of losing it.
   */
  handle(
    event: Extract<AnyTodoEvent, { type: T }>,
    ctx: { log: Logger },
  ): Promise<Verdict | undefined> | Promise<void>;
  /** The pub/sub component [`kafka-pubsub`]. */
  pubsub?: string;
  /**
   * Dapr bulk subscribe: up to `maxMessages` [100] messages per delivery, gathered for up to
   * `maxAwaitMs` [40], handled `concurrency` [32] subjects at a time (each subject's in order).
   * Without it, one message per delivery and, per partition, one at a time.
   */
  bulk?: { maxMessages?: number; maxAwaitMs?: number; concurrency?: number };
}

/** A subscription ready to mount: its `/dapr/subscribe` entry and its delivery handler. */
export interface Subscription {
  readonly route: string;
  readonly definition: {
    pubsubname: string;
    topic: string;
    route: string;
    deadLetterTopic?: string;
    bulkSubscribe?: { enabled: boolean; maxMessagesCount: number; maxAwaitDurationMs: number };
  };
  handle(
    c: Context<{ Variables: RequestVariables }>,
    guard: PoisonGuard,
    deadLetters: DeadLetterPublisher,
  ): Promise<Response>;
}

/** Publishes what a bulk delivery drops to its dead-letter topic (the app's own sidecar). */
export type DeadLetterPublisher = Pick<Sidecar, 'publishBulk'>;

/**
 * Tells a poison message from an outage. Dapr retries a failed delivery for as long as it fails
 * (dapr-components/resiliency.yaml: no retry limit), so a dependency that is down for a while
 * delays messages, never loses them. But a message that fails while every dependency is up
 * would block its partition for everyone: after `maxFailures` failures with the app's
 * dependencies up, it is DROPped to the dead-letter topic (and the reminder sweep, or the replay
 * command, brings it back).
 */
export interface PoisonGuard {
  /** Records a failure of this event; true when it should be dropped now. */
  failed(eventId: string): Promise<boolean>;
  succeeded(eventId: string): void;
}

export function createPoisonGuard(options: {
  /** True when every dependency the handlers need is up (the app's readiness). */
  dependenciesUp: () => Promise<boolean>;
  /** Failures, with dependencies up, before a message is dropped [20: about 3 minutes of retries]. */
  maxFailures?: number;
}): PoisonGuard {
  const max = options.maxFailures ?? 20;
  const failures = new Map<string, number>();
  return {
    async failed(eventId) {
      const up = await options.dependenciesUp().catch(() => false);
      // An outage does not count: only failures while everything is up make a message poison.
      if (!up) return false;
      const n = (failures.get(eventId) ?? 0) + 1;
      failures.delete(eventId);
      if (n >= max) return true;
      failures.set(eventId, n);
      // Bounded: the oldest entries go first (a Map keeps insertion order).
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
      return false;
    },
    succeeded(eventId) {
      failures.delete(eventId);
    },
  };
}

/**
 * One programmatic subscription: parse every delivery with the event schemas, then answer
 * SUCCESS, RETRY or DROP in one place. A message that is not JSON, not one of our events, or
 * of a type not accepted is DROPped (it lands in the dead-letter topic, untouched) and logged;
 * it never crashes the app nor blocks its partition.
 *
 * @example
 * const reminders = subscription({ topic: TOPICS.reminders, route: '/events/reminders',
 *   deadLetterTopic: TOPICS.remindersDlq, accept: ['todo.reminder.due.v1'],
 *   handle: async (event) => { await store.insert(event); } });
 */
export function subscription<T extends EventType>(spec: SubscriptionSpec<T>): Subscription {
  const definition = {
    pubsubname: spec.pubsub ?? PUBSUB,
    topic: spec.topic,
    route: spec.route,
    ...(spec.deadLetterTopic ? { deadLetterTopic: spec.deadLetterTopic } : {}),
    ...(spec.bulk
      ? {
          bulkSubscribe: {
            enabled: true,
            maxMessagesCount: spec.bulk.maxMessages ?? 100,
            maxAwaitDurationMs: spec.bulk.maxAwaitMs ?? 40,
          },
        }
      : {}),
  };

  /** One delivered message, parsed and handled: its verdict. */
  async function one(raw: unknown, log: Logger, guard: PoisonGuard): Promise<Verdict> {
    const parsed = parseEvent(raw, spec.accept);
    if (!parsed.ok) {
      log.warn(
        { topic: spec.topic, reason: parsed.reason },
        spec.deadLetterTopic
          ? 'message rejected; dropped to the dead-letter topic'
          : 'message rejected; dropped',
      );
      return 'DROP';
    }
    const { event } = parsed;
    const eventLog = log.child({ eventId: event.id, type: event.type, correlationId: event.correlationid });
    try {
      const verdict = (await spec.handle(event, { log: eventLog })) ?? 'SUCCESS';
      if (verdict === 'DROP') eventLog.warn({ topic: spec.topic }, 'event dropped to the dead-letter topic');
      if (verdict !== 'RETRY') guard.succeeded(event.id);
      return verdict;
    } catch (err) {
      if (await guard.failed(event.id)) {
        eventLog.error(
          { err, topic: spec.topic },
          'event keeps failing with every dependency up: dropped to the dead-letter topic',
        );
        return 'DROP';
      }
      eventLog.warn({ err, topic: spec.topic }, 'event not handled; Dapr retries it');
      return 'RETRY';
    }
  }

  /**
   * A bulk delivery: entries of different subjects (tasks) run at once, up to `concurrency`;
   * one subject's run one after another in the order Kafka gave them, and once one is not done
   * (RETRY) the later ones of its subject are answered RETRY unhandled, so a task's events are
   * never applied out of order.
   */
  async function bulk(body: unknown, log: Logger, guard: PoisonGuard, deadLetters: DeadLetterPublisher) {
    const entries = (body as { entries?: { entryId?: unknown; event?: unknown }[] } | null)?.entries;
    if (!Array.isArray(entries)) return [];
    const subjectOf = (e: unknown) =>
      e !== null && typeof e === 'object' && typeof (e as { subject?: unknown }).subject === 'string'
        ? (e as { subject: string }).subject
        : '';
    const bySubject = new Map<string, { entryId: string; event: unknown }[]>();
    for (const entry of entries) {
      if (typeof entry?.entryId !== 'string') continue;
      const key = subjectOf(entry.event);
      const list = bySubject.get(key) ?? [];
      list.push({ entryId: entry.entryId, event: entry.event });
      bySubject.set(key, list);
    }
    const statuses: { entryId: string; status: Verdict }[] = [];
    const groups = [...bySubject.values()];
    let next = 0;
    const worker = async () => {
      for (let g = next++; g < groups.length; g = next++) {
        let blocked = false;
        for (const entry of groups[g] ?? []) {
          const status: Verdict = blocked ? 'RETRY' : await one(entry.event, log, guard);
          if (status === 'RETRY') blocked = true;
          statuses.push({ entryId: entry.entryId, status });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.bulk?.concurrency ?? 32, groups.length) }, worker));
    if (spec.deadLetterTopic) await deadLetter(spec.deadLetterTopic, statuses, entries, deadLetters, log);
    return statuses;
  }

  return {
    route: spec.route,
    definition,
    async handle(c, guard, deadLetters) {
      const log = c.get('log');
      const text = await c.req.text();
      // With bulk subscribe on, daprd sends an envelope of entries; one message alone (a test, a
      // daprd without it) is still taken as one.
      if (spec.bulk && text.startsWith('{') && text.includes('"entries"')) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (Array.isArray((body as { entries?: unknown } | undefined)?.entries))
          return c.json({ statuses: await bulk(body, log, guard, deadLetters) });
      }
      return c.json({ status: await one(text, log, guard) });
    },
  };
}

/**
 * The request body one dead-letter bulk publish may reach. daprd refuses a request body over its
 * `--max-body-size` (4 MiB by default) with "stream too large"; malformed messages can be large and
 * grow when escaped as JSON, so a batch of them went over it, every redelivery failed the same way
 * and the partition stalled behind it (scripts/fuzz showed it). So the dropped entries go in
 * chunks of at most this many bytes of JSON (an entry larger than that alone in its chunk).
 */
export const DEAD_LETTER_CHUNK_BYTES = 1024 * 1024;

/** Splits `items` in order into runs whose JSON size stays within `budget` bytes. */
export function byteChunks<T>(items: T[], budget: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item) ?? '') + 1;
    if (current.length > 0 && size + bytes > budget) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A bulk delivery's DROPs go to the dead-letter topic through the app's own sidecar, and daprd is
 * answered SUCCESS for them (RETRY when that publish failed, so nothing is lost). daprd 1.18 cannot
 * be trusted with a DROP in a bulk answer: it finds the dropped message by the entry's index in
 * the whole batch but looks it up among the entries it could parse, so once a batch holds a
 * message that is not JSON, a DROP dead-letters the wrong message or panics the sidecar (`index
 * out of range` in DeliverBulk; docs/dapr.md). The entry is published as it came (raw payload),
 * keyed by its subject when it has one.
 */
async function deadLetter(
  topic: string,
  statuses: { entryId: string; status: Verdict }[],
  entries: { entryId?: unknown; event?: unknown }[],
  publisher: DeadLetterPublisher,
  log: Logger,
): Promise<void> {
  const dropped = statuses.filter((s) => s.status === 'DROP');
  if (dropped.length === 0) return;
  const byId = new Map(entries.map((e) => [e.entryId, e.event]));
  const keyOf = (event: unknown, entryId: string) => {
    const subject = (event as { subject?: unknown } | null)?.subject;
    return typeof subject === 'string' && subject !== '' ? subject.slice(0, 200) : entryId;
  };
  const all = dropped.map((s) => {
    const event = byId.get(s.entryId);
    return {
      id: s.entryId,
      // An entry's event is what daprd parsed: a JSON object (anything else is wrapped).
      event: event !== null && typeof event === 'object' ? event : { value: event },
      partitionKey: keyOf(event, s.entryId),
    };
  });
  const failed = new Map<string, string>();
  for (const chunk of byteChunks(all, DEAD_LETTER_CHUNK_BYTES)) {
    try {
      for (const [id, error] of await publisher.publishBulk(topic, chunk, { raw: true }))
        failed.set(id, error);
    } catch (err) {
      log.warn(
        { err, topic, entries: chunk.length },
        'dead-letter publish failed; Dapr redelivers the dropped messages',
      );
      for (const e of chunk) failed.set(e.id, 'bulk publish failed');
    }
  }
  for (const s of dropped) s.status = failed.has(s.entryId) ? 'RETRY' : 'SUCCESS';
}

/**
 * Mounts subscriptions on an app: `GET /dapr/subscribe` lists them, each route takes its
 * deliveries, and both require the sidecar's APP_API_TOKEN. The subscriptions are
 * programmatic, so the topic, route and dead-letter topic come from the same code under
 * `scripts/stack`, `dapr run -f .` and Kubernetes, with no Subscription resource to keep in step.
 */
export function mountSubscriptions<E extends Env & { Variables: RequestVariables }>(
  app: Hono<E>,
  options: {
    appApiToken: string;
    subscriptions: readonly Subscription[];
    /** The app's sidecar, which takes what a bulk delivery drops to the dead-letter topic. */
    deadLetters: DeadLetterPublisher;
    /** True when the handlers' dependencies are up; see PoisonGuard. */
    dependenciesUp: () => Promise<boolean>;
    maxFailures?: number;
  },
): void {
  const token = requireSidecarToken(options.appApiToken);
  const poison = createPoisonGuard(options);
  app.get('/dapr/subscribe', token, (c) => c.json(options.subscriptions.map((s) => s.definition)));
  for (const s of options.subscriptions) {
    app.post(s.route, token, (c) =>
      s.handle(c as unknown as Context<{ Variables: RequestVariables }>, poison, options.deadLetters),
    );
  }
}
