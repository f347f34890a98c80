/**
 * Starts notifier: `node src/main.ts`. Settings (loadConfig): PORT [3002], HOST [127.0.0.1],
 * DAPR_HTTP_PORT [3502], DATABASE_URL, AUTH_JWT_SECRET, DAPR_API_TOKEN, APP_API_TOKEN,
 * MIGRATE_ON_START [true], WEBHOOK_MAX_ATTEMPTS [10], WEBHOOK_LEASE_SECONDS [60], LOG_LEVEL [info],
 * STREAMS_PER_USER [5], PAGE_ORIGINS [the local chat page], NOTIFICATION_RETENTION_DAYS [30].
 */
import {
  authOptions,
  authSettings,
  CountSetting,
  commonSettings,
  createLogger,
  createSidecar,
  databaseAnswers,
  FlagSetting,
  ListSetting,
  loadConfig,
  migrateOnStart,
  openDatabase,
  serveApp,
} from '@todo/platform';
import * as v from 'valibot';
import { createApp, STREAM_DEFAULTS } from './app.ts';
import { NOTIFIER_MIGRATIONS } from './db/migrations.ts';
import { createPgStore } from './db/pg-store.ts';
import type { Database } from './db/schema.ts';
import { createNotificationHub } from './notification-hub.ts';
import { startRetention } from './retention.ts';
import { createWebhookDelivery, DEFAULT_DELIVERY_POLICY } from './webhook-delivery.ts';

const config = loadConfig(
  'notifier',
  v.object({
    ...commonSettings({ port: '3002', daprHttpPort: '3502' }),
    DATABASE_URL: v.pipe(v.string(), v.startsWith('postgres', 'must be a postgres:// URL')),
    ...authSettings(),
    /** Migrate the tables at start; production runs `node src/migrate-main.ts` (the chart's Job) first. */
    MIGRATE_ON_START: v.optional(FlagSetting, 'true'),
    /** Webhook attempts before a delivery is given up (then `scripts/dlq webhooks replay`). */
    WEBHOOK_MAX_ATTEMPTS: v.optional(CountSetting, String(DEFAULT_DELIVERY_POLICY.maxAttempts)),
    /** How long a claimed delivery is this replica's before another may take it over. */
    WEBHOOK_LEASE_SECONDS: v.optional(CountSetting, String(DEFAULT_DELIVERY_POLICY.leaseMs / 1000)),
    /** Notifications older than this are deleted. */
    NOTIFICATION_RETENTION_DAYS: v.optional(CountSetting, '30'),
    /** Signs every webhook body (Standard Webhooks); without it the receiver cannot tell a forgery. */
    WEBHOOK_SIGNING_SECRET: v.optional(v.pipe(v.string(), v.minLength(24, 'must be at least 24 characters'))),
    /** Open notification streams per user on one replica; one more is a 429. */
    STREAMS_PER_USER: v.optional(CountSetting, String(STREAM_DEFAULTS.maxPerUser)),
    /** Origins of the chat page (CORS on the stream), e.g. `https://todo.example.com`. */
    PAGE_ORIGINS: v.optional(ListSetting, STREAM_DEFAULTS.pageOrigins.join(',')),
  }),
);
const log = createLogger({ name: 'notifier', level: config.LOG_LEVEL });
const db = openDatabase<Database>({ url: config.DATABASE_URL, app: 'notifier', log });
if (config.MIGRATE_ON_START) {
  await migrateOnStart(db, { app: 'notifier', migrations: NOTIFIER_MIGRATIONS, log });
}
const store = createPgStore(db);
const sidecar = createSidecar({ httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN });
const delivery = createWebhookDelivery({
  sidecar,
  store,
  log,
  policy: { maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, leaseMs: config.WEBHOOK_LEASE_SECONDS * 1000 },
  ...(config.WEBHOOK_SIGNING_SECRET ? { signingSecret: config.WEBHOOK_SIGNING_SECRET } : {}),
});
if (!config.WEBHOOK_SIGNING_SECRET) log.warn('WEBHOOK_SIGNING_SECRET is not set: webhook bodies go unsigned');
const app = createApp({
  appApiToken: config.APP_API_TOKEN,
  auth: authOptions(config),
  store,
  sidecar,
  delivery,
  hub: createNotificationHub(),
  maxStreamsPerUser: config.STREAMS_PER_USER,
  pageOrigins: config.PAGE_ORIGINS,
  log,
  databaseReady: () => databaseAnswers(db),
});
delivery.start();
const retention = startRetention({ store, log, retentionDays: config.NOTIFICATION_RETENTION_DAYS });
serveApp({
  app,
  listen: config,
  log,
  shutdown: [async () => retention.stop(), () => delivery.stop(), () => db.destroy()],
});
