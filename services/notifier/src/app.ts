import { TOPICS } from '@todo/events';
import {
  AppError,
  createServiceApp,
  isDatabaseUnavailable,
  type Logger,
  mountSubscriptions,
  type RequestVariables,
  readiness,
  requireUser,
  type Sidecar,
  subscription,
  type UserAuthOptions,
  type UserVariables,
  valid,
} from '@todo/platform';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import * as v from 'valibot';
import { type Notification, type NotificationStore, toApi } from './notification.ts';
import { createNotificationHub, type NotificationHub } from './notification-hub.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

export interface AppDeps {
  appApiToken: string;
  /** How user tokens are checked (AUTH_JWT_*). */
  auth: UserAuthOptions;
  store: NotificationStore;
  sidecar: Pick<Sidecar, 'outboundHealthy'>;
  /** Resolves when the database answers (readiness); rejects or resolves false otherwise. */
  databaseReady: () => Promise<boolean>;
  log: Logger;
  hub?: NotificationHub;
  /** The webhook outbox: told when a notification is stored. */
  delivery: Pick<WebhookDelivery, 'kick'>;
  /** SSE heartbeat period [15 s]. */
  heartbeatMs?: number;
  now?: () => Date;
}

export const REMINDERS_ROUTE = '/events/reminders';

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
 * client does not send a representation), `GET /v1/notifications/stream` (SSE; resume with
 * `Last-Event-ID`), the `reminders` subscription, `/healthz`, `/readyz`.
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

  const reminders = subscription({
    topic: TOPICS.reminders,
    route: REMINDERS_ROUTE,
    deadLetterTopic: TOPICS.remindersDlq,
    accept: ['todo.reminder.due.v1'],
    // A storm of reminders comes in batches, stored side by side.
    bulk: { maxMessages: 200, maxAwaitMs: 20, concurrency: 16 },
    async handle(event, ctx) {
      if (event.userid !== event.data.user_id || event.subject !== event.data.task_id) {
        ctx.log.warn('reminder event whose envelope and data disagree');
        return 'DROP';
      }
      // A store failure throws: the subscription answers RETRY and Dapr redelivers.
      const stored: Notification | null = await deps.store.insert({
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
  mountSubscriptions(app, {
    appApiToken: deps.appApiToken,
    subscriptions: [reminders],
    dependenciesUp: () => deps.databaseReady().catch(() => false),
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

  app.get('/v1/notifications/stream', (c) => {
    const userId = c.get('userId');
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
      // live ones are told apart by seq.
      const unsubscribe = hub.subscribe(userId, (n) => {
        if (replaying) buffered.push(n);
        else void send(n);
      });
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n'), heartbeatMs);
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
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
        await closed;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  });

  return app;
}
