/** The chat-api app wired for unit tests: in-process PostgreSQL, a silent logger, a fixed clock. */
import type { TodoEvent } from '@todo/events';
import { createLogger, signUserToken } from '@todo/platform';
import { createApp } from '../app.ts';
import type { Db } from '../db/database.ts';
import type { OutboxRelay } from '../outbox/outbox-relay.ts';
import type { TaskLimits } from '../tasks/task-limits.ts';
import { createTestDb } from './pglite-db.ts';

export const JWT_SECRET = 'unit-test-secret-unit-test-secret-0123456789';
export const APP_TOKEN = 'unit-test-app-token-0123456789';
export const METRICS_TOKEN = 'unit-test-metrics-token-0123456789';

export async function token(sub: string, exp = Math.floor(Date.now() / 1000) + 3600): Promise<string> {
  return signUserToken({
    secret: JWT_SECRET,
    sub,
    ttlSeconds: Math.max(1, exp - Math.floor(Date.now() / 1000)),
  });
}

/** Test assertions read arbitrary JSON bodies. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the app answered
export type Json = any;
/** A Response whose JSON is loosely typed, for assertions. */
export interface TestResponse extends Response {
  json(): Promise<Json>;
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: Db;
  /** Calls the app as a user (JSON body when given). */
  call(
    user: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  /** Calls the app without a user token. */
  request(path: string, init?: RequestInit): Promise<TestResponse>;
  /** The outbox, oldest first: what the relay would publish. */
  outbox(): Promise<{ topic: string; key: string; event: TodoEvent }[]>;
  close(): Promise<void>;
}

/** A relay that only counts how often it was woken (for the tests of who wakes it, and when). */
export function countingRelay(): OutboxRelay & { wakes: number } {
  return {
    wakes: 0,
    start() {},
    wake() {
      this.wakes += 1;
    },
    runOnce: async () => 0,
    stop: async () => {},
    stats: async () => ({
      pending: 0,
      oldestAgeSeconds: 0,
      published: 0,
      failures: 0,
      latencyMs: { p50: null, p95: null, p99: null },
    }),
  };
}

export async function createTestApp(
  options: {
    now?: () => Date;
    sidecarUp?: boolean;
    limits?: Partial<TaskLimits>;
    devSignIn?: boolean;
    /** A relay to wake (none by default: the tests read the outbox). */
    relay?: OutboxRelay;
  } = {},
): Promise<TestApp> {
  const { db, close } = await createTestDb();
  const app = createApp({
    db,
    log: createLogger({ name: 'chat-api-test', level: 'silent' }),
    auth: { secret: JWT_SECRET },
    metricsToken: METRICS_TOKEN,
    appApiToken: APP_TOKEN,
    sidecarReady: async () => options.sidecarUp ?? true,
    // Nothing these tests deliver is dropped from a bulk; the platform's tests cover that path.
    deadLetters: {
      publishBulk: async () => {
        throw new Error('no dead-letter topic in chat-api unit tests');
      },
    },
    // Tests write fast and use SECONDLY rules; the limits' own tests set them.
    limits: { writesPerSecond: 1e6, writeBurst: 1e6, minRecurrencePeriodSeconds: 1, ...options.limits },
    ...(options.now ? { now: options.now } : {}),
    ...(options.relay ? { relay: options.relay } : {}),
    page: { notifierUrl: 'http://127.0.0.1:3002', devSignIn: options.devSignIn ?? false },
  });
  return {
    app,
    db,
    async request(path, init) {
      return app.request(path, init);
    },
    async call(user, method, path, body, headers = {}) {
      return app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${await token(user)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
    async outbox() {
      const rows = await db
        .selectFrom('outbox')
        .select(['topic', 'partition_key', 'event'])
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ topic: r.topic, key: r.partition_key, event: r.event as TodoEvent }));
    },
    async close() {
      await close();
    },
  };
}
