/**
 * chat-api: the chatbot's task API. `createApp(deps)` builds the Hono app; `main.ts` serves it.
 *
 * Request path: requestContext (ids, logger) → requireUser (JWT) → task context → validated
 * handler → task function (one transaction: the row and its outbox events) → the relay
 * (outbox-relay.ts) publishes to Kafka through the sidecar.
 */

import { timingSafeEqual } from 'node:crypto';
import { TOPICS, type TodoEvent } from '@todo/events';
import {
  AppError,
  createBatcher,
  createServiceApp,
  type DeadLetterPublisher,
  databaseAnswers,
  isDatabaseUnavailable,
  type Logger,
  mountSubscriptions,
  problem,
  readiness,
  requireSidecarToken,
  requireUser,
  subscription,
  type UserAuthOptions,
  valid,
} from '@todo/platform';
import { bodyLimit } from 'hono/body-limit';
import { ChatRequestSchema } from './chat/chat-schemas.ts';
import { handleChat } from './chat/handle-chat.ts';
import type { Db } from './db/database.ts';
import type { ChatApiEnv } from './http/env.ts';
import { relayMetrics } from './http/metrics.ts';
import { docsPage, openApiDocument } from './http/openapi.ts';
import { createWriteLimiter, writeRateLimit } from './http/write-rate-limit.ts';
import { type McpOptions, mountMcp } from './mcp/mcp-route.ts';
import type { OutboxRelay } from './outbox/outbox-relay.ts';
import { type PageOptions, pageRoutes, streamTokenRoute } from './page/page-routes.ts';
import { preferencesRoutes } from './preferences/preferences-routes.ts';
import { recordRemindersFired } from './sweep/reminder-progress.ts';
import { sweepReminders } from './sweep/reminder-sweep.ts';
import { DEFAULT_TASK_LIMITS, type TaskLimits } from './tasks/task-limits.ts';
import { taskRoutes } from './tasks/task-routes.ts';

export interface AppDeps {
  db: Db;
  log: Logger;
  /** How user tokens are checked (AUTH_JWT_*). */
  auth: UserAuthOptions;
  /** APP_API_TOKEN: what the sidecar sends on the routes it calls. */
  appApiToken: string;
  /** True when the sidecar answers (GET /v1.0/healthz/outbound). */
  sidecarReady: () => Promise<boolean>;
  /** The sidecar that takes what a bulk delivery drops to its dead-letter topic. */
  deadLetters: DeadLetterPublisher;
  relay?: OutboxRelay;
  now?: () => Date;
  /** METRICS_TOKEN: what a scraper of /metrics sends as its bearer; /metrics is off without it. */
  metricsToken?: string;
  /** What one user may ask; DEFAULT_TASK_LIMITS where not given. */
  limits?: Partial<TaskLimits>;
  /** The reminder sweep's settings (SWEEP_GRACE_SECONDS, SWEEP_LOOKBACK_SECONDS, SWEEP_REANNOUNCE_SECONDS), in ms. */
  sweep?: { graceMs: number; lookbackMs: number; reannounceMs: number };
  /** The MCP endpoint's hosts, origins and public URL (mcp/mcp-route.ts has the defaults). */
  mcp?: Pick<McpOptions, 'allowedHosts' | 'allowedOrigins' | 'publicUrl' | 'authorizationServers'>;
  /** The chat page: where browsers reach notifier, and whether a user name alone signs in (development). */
  page?: Pick<PageOptions, 'notifierUrl' | 'devSignIn'>;
}

const MAX_BODY = 64 * 1024;
/** Where Dapr delivers `reminders` to chat-api. */
export const REMINDERS_ROUTE = '/events/reminders';

export function createApp(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const app = createServiceApp<ChatApiEnv>({ log: deps.log, dependencies: [isDatabaseUnavailable] });
  const limitBody = bodyLimit({
    maxSize: MAX_BODY,
    onError: (c) =>
      problem(c, new AppError('payload_too_large', `the body must be at most ${MAX_BODY} bytes`)),
  });
  // Users' requests only: daprd's bulk deliveries (under /events/, app token required before the
  // body is read) carry up to 200 broker messages; a 413 there is retried forever and stalls the
  // subscription for every user (scripts/fuzz showed it with large malformed reminders).
  app.use((c, next) => (c.req.path.startsWith('/events/') ? next() : limitBody(c, next)));
  // Every write wakes this process's relay once its transaction committed events to the outbox
  // (TaskContext.committed; no NOTIFY: outbox-writer.ts says why). Its polling is the fallback.
  const committed = () => deps.relay?.wake();

  app.get('/readyz', readiness({ database: () => databaseAnswers(deps.db), sidecar: deps.sidecarReady }));
  // Metrics: for a scraper holding METRICS_TOKEN only (they name the outbox's state), and the
  // outbox counted at most once a second however often it is scraped.
  const metricsToken = deps.metricsToken ? Buffer.from(`Bearer ${deps.metricsToken}`) : undefined;
  let stats: { at: number; text: Promise<string> } | undefined;
  app.get('/metrics', async (c) => {
    const got = Buffer.from(c.req.header('authorization') ?? '');
    if (!metricsToken || got.length !== metricsToken.length || !timingSafeEqual(got, metricsToken)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError(
        'unauthorized',
        metricsToken ? 'send Authorization: Bearer <METRICS_TOKEN>' : 'metrics are off: set METRICS_TOKEN',
      );
    }
    if (!deps.relay) return c.text('', 200);
    const relay = deps.relay;
    if (!stats || Date.now() - stats.at > 1_000)
      stats = { at: Date.now(), text: relay.stats().then(relayMetrics) };
    return c.text(await stats.text, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
  const doc = openApiDocument();
  app.get('/openapi.json', (c) => c.json(doc));
  app.get('/docs', (c) => c.html(docsPage(doc)));

  // The cron input binding (dapr-components/reminder-sweep.yaml): only the sidecar calls it.
  app.post('/reminder-sweep', requireSidecarToken(deps.appApiToken), async (c) => {
    const result = await sweepReminders({
      db: deps.db,
      now,
      ...deps.sweep,
      committed,
    });
    c.get('log').info(result, 'reminder sweep');
    return c.json(result);
  });

  // Which reminders fired, so the sweep repairs only what did not (sweep/reminder-progress.ts).
  // The firings of a bulk delivery are recorded together, one transaction per batch.
  const recordFired = createBatcher({
    oneByOneOnFailure: true,
    run: (events: TodoEvent<'todo.reminder.due.v1'>[]) => recordRemindersFired(deps.db, events, now()),
  });
  mountSubscriptions(app, {
    appApiToken: deps.appApiToken,
    deadLetters: deps.deadLetters,
    dependenciesUp: () => databaseAnswers(deps.db).catch(() => false),
    subscriptions: [
      subscription({
        topic: TOPICS.reminders,
        route: REMINDERS_ROUTE,
        deadLetterTopic: TOPICS.remindersDlq,
        accept: ['todo.reminder.due.v1'],
        bulk: { maxMessages: 200, maxAwaitMs: 50, concurrency: 200 },
        async handle(event) {
          await recordFired(event);
        },
      }),
    ],
  });

  const limits: TaskLimits = { ...DEFAULT_TASK_LIMITS, ...deps.limits };
  const limiter = createWriteLimiter({ perSecond: limits.writesPerSecond, burst: limits.writeBurst });
  // The todo tools for LLM agents (MCP), on the same task functions and write allowance.
  mountMcp(app, {
    db: deps.db,
    log: deps.log,
    auth: deps.auth,
    limiter,
    limits,
    now,
    committed,
    ...deps.mcp,
  });
  // The chat page for people (page/page-routes.ts).
  const page = { notifierUrl: 'http://127.0.0.1:3002', devSignIn: false, ...deps.page, auth: deps.auth };
  app.route('/', pageRoutes(page));
  app.use('/v1/*', requireUser(deps.auth));
  app.use('/v1/*', writeRateLimit(limiter));
  app.use('/v1/*', async (c, next) => {
    c.set('ctx', {
      db: deps.db,
      userId: c.get('userId'),
      correlationId: c.get('correlationId'),
      now,
      limits,
      committed,
    });
    await next();
  });
  app.route('/v1/tasks', taskRoutes);
  app.route('/v1/preferences', preferencesRoutes);
  app.route('/v1/stream-token', streamTokenRoute(page));
  app.post('/v1/chat', valid('json', ChatRequestSchema), async (c) => {
    return c.json(await handleChat({ ctx: c.get('ctx'), input: c.req.valid('json') }));
  });
  return app;
}
