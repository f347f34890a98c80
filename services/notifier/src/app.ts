import { TOPICS } from '@todo/events';
import {
  AppError,
  bearerToken,
  createBatcher,
  createServiceApp,
  createTokenVerifier,
  isDatabaseUnavailable,
  type Logger,
  looksLikeJwt,
  mountSubscriptions,
  type RequestVariables,
  readiness,
  requireUser,
  type Sidecar,
  streamTokenOptions,
  subscription,
  type UserAuthOptions,
  type UserVariables,
  valid,
} from '@todo/platform';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import * as v from 'valibot';
import { type NewNotification, type Notification, type NotificationStore, toApi } from './notification.ts';
import { createNotificationHub, type NotificationHub } from './notification-hub.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

export interface AppDeps {
  appApiToken: string;
  /** How user tokens are checked (AUTH_JWT_*). */
  auth: UserAuthOptions;
  store: NotificationStore;
  /** Readiness, and the dead-letter topic for what a bulk delivery drops. */
  sidecar: Pick<Sidecar, 'outboundHealthy' | 'publishBulk'>;
  /** Resolves when the database answers (readiness); rejects or resolves false otherwise. */
  databaseReady: () => Promise<boolean>;
  log: Logger;
  hub?: NotificationHub;
  /** The webhook outbox: told when a notification is stored. */
  delivery: Pick<WebhookDelivery, 'kick'>;
  /** SSE heartbeat period [15 s]. */
  heartbeatMs?: number;
  /** Open streams one user may hold on this replica [STREAM_DEFAULTS.maxPerUser]. */
  maxStreamsPerUser?: number;
  /** Origins of pages that open the stream from a browser (CORS) [STREAM_DEFAULTS.pageOrigins]. */
  pageOrigins?: readonly string[];
  now?: () => Date;
}

export const REMINDERS_ROUTE = '/events/reminders';
export const TASK_UPDATES_ROUTE = '/events/task-updates';

export const STREAM_DEFAULTS = {
  /** A user's open streams on one replica (a page per tab or device): one more is a 429. */
  maxPerUser: 5,
  /** The chat page as `scripts/run` serves it (chat-api on port 3000). */
  pageOrigins: ['http://127.0.0.1:3000', 'http://localhost:3000'],
} as const;

const ListQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, 'must be an integer'),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(100),
    ),
    '20',
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,40}$/, 'is not a cursor'))),
  unread: v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'false'),
});

const encodeCursor = (seq: number) => Buffer.from(`n:${seq}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^n:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[1]) {
    throw new AppError('invalid_request', 'the cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'is not a cursor this API issued' }],
    });
  }
  return Number(m[1]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Env = { Variables: RequestVariables & UserVariables };

/**
 * notifier: stores each ReminderDue once (keyed by its event id), pushes it to the user's SSE
 * clients and posts it through the notify-webhook binding.
 *
 * Routes: `GET /v1/notifications` (newest first; `limit` 1-100 [20], `cursor`, `unread=true`),
 * `POST /v1/notifications/{id}/read` (an action, idempotent: POST rather than PATCH because the
 * client does not send a representation), `GET /v1/notifications/stream` (SSE: `notification`
 * frames, resumable with `Last-Event-ID`, and `task` frames for live task sync; a bearer token or
 * a stream token), the `reminders` and `task-updates` subscriptions, `/healthz`, `/readyz`.
 */
export function createApp(deps: AppDeps): Hono<Env> {
  const { log } = deps;
  const hub = deps.hub ?? createNotificationHub();
  const { delivery } = deps;
  const now = deps.now ?? (() => new Date());
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const app = createServiceApp<Env>({ log, dependencies: [isDatabaseUnavailable] });
  app.get(
    '/readyz',
    readiness({ database: deps.databaseReady, sidecar: () => deps.sidecar.outboundHealthy() }),
  );

  // Notifications that arrive together (a bulk delivery, handled side by side) are stored in
  // one INSERT: in a storm of reminders, one statement per batch instead of one per reminder.
  const insert = createBatcher({
    oneByOneOnFailure: true,
    run: (ns: NewNotification[]) => deps.store.insertMany(ns),
  });
  const reminders = subscription({
    topic: TOPICS.reminders,
    route: REMINDERS_ROUTE,
    deadLetterTopic: TOPICS.remindersDlq,
    accept: ['todo.reminder.due.v1'],
    // A storm of reminders comes in batches, stored side by side.
    bulk: { maxMessages: 200, maxAwaitMs: 20, concurrency: 200 },
    async handle(event, ctx) {
      if (event.userid !== event.data.user_id || event.subject !== event.data.task_id) {
        ctx.log.warn('reminder event whose envelope and data disagree');
        return 'DROP';
      }
      // A store failure throws: the subscription answers RETRY and Dapr redelivers.
      const stored: Notification | null = await insert({
        id: event.id,
        user_id: event.data.user_id,
        task_id: event.data.task_id,
        title: event.data.title,
        due_at: event.data.due_at,
        remind_at: event.data.remind_at,
        occurrence: event.data.occurrence,
        fired_at: event.data.fired_at,
      });
      if (!stored) {
        ctx.log.debug('duplicate ReminderDue; already notified');
        return 'SUCCESS';
      }
      hub.publish(stored);
      delivery.kick();
      ctx.log.debug({ userId: stored.user_id, taskId: stored.task_id }, 'notification stored');
      return 'SUCCESS';
    },
  });
  // Live task sync: every change of a user's tasks (from REST, chat, MCP or another tab) goes to
  // their open pages as a hint; the page reads the task back from chat-api. A hint lost loses
  // nothing stored, so a bad record is dropped without a dead-letter topic.
  const taskUpdates = subscription({
    topic: TOPICS.taskUpdates,
    route: TASK_UPDATES_ROUTE,
    accept: ['todo.task.changed.v1'],
    bulk: { maxMessages: 200, maxAwaitMs: 20, concurrency: 16 },
    async handle(event) {
      if (event.subject !== event.data.id) return 'DROP';
      hub.publishTask(event.userid, event.data);
      return 'SUCCESS';
    },
  });
  mountSubscriptions(app, {
    appApiToken: deps.appApiToken,
    deadLetters: deps.sidecar,
    subscriptions: [reminders, taskUpdates],
    dependenciesUp: () => deps.databaseReady().catch(() => false),
  });

  // The stream takes a user's bearer token or, from a browser's EventSource (which cannot send
  // headers), a stream-only token in `stream_token` (POST /v1/stream-token on chat-api). It ends
  // when its token expires (an `expired` event first), so a revoked user's stream does not
  // outlive their token; the page asks for a new token and resumes from its Last-Event-ID.
  const verifyBearer = createTokenVerifier(deps.auth);
  const verifyStreamToken = createTokenVerifier(streamTokenOptions(deps.auth));
  const maxStreams = deps.maxStreamsPerUser ?? STREAM_DEFAULTS.maxPerUser;
  const pageOrigins = new Set(deps.pageOrigins ?? STREAM_DEFAULTS.pageOrigins);
  const openStreams = new Map<string, number>();
  async function streamUser(c: Context<Env>) {
    const header = c.req.header('authorization');
    const streamToken = c.req.query('stream_token');
    const bearer = bearerToken(header);
    const challenge = (error?: string) =>
      c.header('WWW-Authenticate', `Bearer realm="todo-chatbot"${error ? `, error="${error}"` : ''}`);
    if (!bearer && !looksLikeJwt(streamToken)) {
      challenge(header || streamToken ? 'invalid_token' : undefined);
      throw new AppError(
        'unauthorized',
        'send Authorization: Bearer <JWT>, or a stream token as stream_token',
      );
    }
    try {
      return bearer ? await verifyBearer(bearer) : await verifyStreamToken(streamToken ?? '');
    } catch (err) {
      challenge('invalid_token');
      throw err;
    }
  }

  app.get('/v1/notifications/stream', async (c) => {
    const origin = c.req.header('origin');
    if (origin && pageOrigins.has(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    const { userId, expiresAt } = await streamUser(c);
    const open = openStreams.get(userId) ?? 0;
    if (open >= maxStreams) {
      throw new AppError(
        'quota_exceeded',
        `at most ${maxStreams} notification streams per user are open at once`,
        {
          extra: { limit: maxStreams },
          retryAfter: 30,
        },
      );
    }
    openStreams.set(userId, open + 1);
    const lastId = c.req.header('last-event-id') ?? c.req.query('last_event_id');
    const resumeFrom = lastId && /^\d{1,18}$/.test(lastId) ? Number(lastId) : undefined;
    return streamSSE(c, async (stream) => {
      let lastSent = resumeFrom ?? 0;
      let replaying = resumeFrom !== undefined;
      const buffered: Notification[] = [];
      const send = async (n: Notification) => {
        if (n.seq <= lastSent) return;
        lastSent = n.seq;
        await stream.writeSSE({ event: 'notification', id: String(n.seq), data: JSON.stringify(toApi(n)) });
      };
      // Subscribe before replaying, so nothing stored in between is missed; replayed rows and
      // live ones are told apart by seq. A task change carries no id: Last-Event-ID stays the
      // last notification's.
      const unsubscribe = hub.subscribe(userId, (e) => {
        if (e.kind === 'task') void stream.writeSSE({ event: 'task', data: JSON.stringify(e.change) });
        else if (replaying) buffered.push(e.notification);
        else void send(e.notification);
      });
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n'), heartbeatMs);
      let expiry: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        expiry = setTimeout(() => resolve('expired'), Math.max(0, expiresAt - now().getTime()));
      });
      const closed = new Promise<'closed'>((resolve) => stream.onAbort(() => resolve('closed')));
      try {
        await stream.write('retry: 3000\n\n');
        if (resumeFrom !== undefined) {
          let after = resumeFrom;
          for (;;) {
            const rows = await deps.store.since(userId, after, 500);
            for (const n of rows) await send(n);
            if (rows.length < 500) break;
            after = rows.at(-1)?.seq ?? after;
          }
          replaying = false;
          for (const n of buffered.splice(0)) await send(n);
        }
        if ((await Promise.race([closed, expired])) === 'expired') {
          await stream.writeSSE({ event: 'expired', data: JSON.stringify({ reason: 'the token expired' }) });
        }
      } finally {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        unsubscribe();
        const left = (openStreams.get(userId) ?? 1) - 1;
        if (left > 0) openStreams.set(userId, left);
        else openStreams.delete(userId);
      }
    });
  });

  app.use('/v1/*', requireUser(deps.auth));

  app.get('/v1/notifications', valid('query', ListQuerySchema), async (c) => {
    const { limit, cursor, unread } = c.req.valid('query');
    const rows = await deps.store.list(c.get('userId'), {
      limit: limit + 1,
      unreadOnly: unread === 'true',
      ...(cursor ? { beforeSeq: decodeCursor(cursor) } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      items: page.map(toApi),
      next_cursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    });
  });

  app.post('/v1/notifications/:id/read', async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('not_found', 'notification not found');
    const row = await deps.store.markRead(c.get('userId'), id, now());
    if (!row) throw new AppError('not_found', 'notification not found');
    return c.json(toApi(row));
  });

  return app;
}
