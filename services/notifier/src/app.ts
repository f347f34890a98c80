import { PUBSUB, parseEvent, TOPICS } from '@todo/events';
import {
  AppError,
  createLogger,
  type Logger,
  notFound,
  onError,
  type RequestVariables,
  requestContext,
  requireSidecarToken,
  requireUser,
  type SidecarHttp,
  type UserVariables,
} from '@todo/platform';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import * as v from 'valibot';
import { type Notification, type NotificationStore, toApi } from './notification.ts';
import { createNotificationHub, type NotificationHub } from './notification-hub.ts';
import { createWebhookDelivery, type WebhookDelivery } from './webhook-delivery.ts';

export interface AppDeps {
  appId?: string;
  appApiToken: string;
  /** AUTH_JWT_SECRET (HS256). */
  authJwtSecret: string;
  store: NotificationStore;
  sidecar: Pick<SidecarHttp, 'invokeBinding' | 'outboundHealthy'>;
  /** True when the database answers (readiness). */
  databaseReady: () => Promise<boolean>;
  log?: Logger;
  hub?: NotificationHub;
  delivery?: WebhookDelivery;
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
    throw new AppError(400, 'validation_failed', 'the cursor is not valid', {
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
  const log = deps.log ?? createLogger({ name: deps.appId ?? 'notifier' });
  const hub = deps.hub ?? createNotificationHub();
  const delivery = deps.delivery ?? createWebhookDelivery({ sidecar: deps.sidecar, store: deps.store, log });
  const now = deps.now ?? (() => new Date());
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const app = new Hono<Env>();
  app.onError(onError((err, c) => c.get('log')?.error({ err }, 'unhandled error')));
  app.notFound(notFound);
  app.use(requestContext(log));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const [db, sidecar] = await Promise.all([deps.databaseReady(), deps.sidecar.outboundHealthy()]);
    return c.json({ status: db && sidecar ? 'ready' : 'not ready', db, sidecar }, db && sidecar ? 200 : 503);
  });

  const guard = requireSidecarToken(deps.appApiToken);
  app.use('/dapr/*', guard);
  app.use('/events/*', guard);
  app.get('/dapr/subscribe', (c) =>
    c.json([
      {
        pubsubname: PUBSUB,
        topic: TOPICS.reminders,
        route: REMINDERS_ROUTE,
        deadLetterTopic: TOPICS.remindersDlq,
      },
    ]),
  );

  app.post(REMINDERS_ROUTE, async (c) => {
    const reqLog = c.get('log');
    const parsed = parseEvent(await c.req.text(), ['todo.reminder.due.v1']);
    if (!parsed.ok) {
      reqLog.warn({ reason: parsed.reason }, 'reminder event rejected; dropped to the dead-letter topic');
      return c.json({ status: 'DROP' });
    }
    const { event } = parsed;
    if (event.userid !== event.data.user_id || event.subject !== event.data.task_id) {
      reqLog.warn({ eventId: event.id }, 'reminder event whose envelope and data disagree; dropped');
      return c.json({ status: 'DROP' });
    }
    let stored: Notification | null;
    try {
      stored = await deps.store.insert({
        id: event.id,
        user_id: event.data.user_id,
        task_id: event.data.task_id,
        title: event.data.title,
        due_at: event.data.due_at,
        remind_at: event.data.remind_at,
        occurrence: event.data.occurrence,
        fired_at: event.data.fired_at,
      });
    } catch (err) {
      reqLog.error({ err, eventId: event.id }, 'notification not stored; retry');
      return c.json({ status: 'RETRY' });
    }
    if (!stored) {
      reqLog.info({ eventId: event.id }, 'duplicate ReminderDue; already notified');
      return c.json({ status: 'SUCCESS' });
    }
    hub.publish(stored);
    void delivery.deliver(stored);
    reqLog.info({ eventId: event.id, userId: stored.user_id, taskId: stored.task_id }, 'notification stored');
    return c.json({ status: 'SUCCESS' });
  });

  app.use('/v1/*', requireUser({ secret: deps.authJwtSecret }));

  app.get('/v1/notifications', async (c) => {
    const parsed = v.safeParse(ListQuerySchema, c.req.query());
    if (!parsed.success) {
      throw new AppError(400, 'validation_failed', 'the query is not valid', {
        errors: parsed.issues.map((i) => ({
          path: `query.${v.getDotPath(i) ?? ''}`,
          message: i.message,
        })),
      });
    }
    const { limit, cursor, unread } = parsed.output;
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
    if (!UUID.test(id)) throw new AppError(404, 'not_found', 'notification not found');
    const row = await deps.store.markRead(c.get('userId'), id, now());
    if (!row) throw new AppError(404, 'not_found', 'notification not found');
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
