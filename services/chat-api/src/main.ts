/** chat-api's process: configuration, database, relay, HTTP server, and a clean shutdown. */
import {
  authOptions,
  createLogger,
  createSidecar,
  migrateOnStart,
  openDatabase,
  serveApp,
} from '@todo/platform';
import { createApp } from './app.ts';
import { loadChatApiConfig } from './config.ts';
import { CHAT_API_MIGRATIONS } from './db/migrations.ts';
import type { Database } from './db/schema.ts';
import { createOutboxRelay, publishThrough } from './outbox/outbox-relay.ts';

const config = loadChatApiConfig();
const log = createLogger({ name: 'chat-api', level: config.LOG_LEVEL });
const db = openDatabase<Database>({ url: config.DATABASE_URL, app: 'chat-api', log });
if (config.MIGRATE_ON_START) {
  await migrateOnStart(db, { app: 'chat-api', migrations: CHAT_API_MIGRATIONS, log });
}
if (config.DEV_SIGN_IN) {
  log.warn('DEV_SIGN_IN is on: the chat page signs anyone in by name alone; never in production');
}
const sidecar = createSidecar({ httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN });
const relay = createOutboxRelay({
  db,
  log,
  pollIntervalMs: config.RELAY_POLL_MS,
  waitForSidecar: () => sidecar.waitUntilReady(),
  publish: publishThrough(sidecar),
});
const app = createApp({
  db,
  log,
  relay,
  auth: authOptions(config),
  ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
  appApiToken: config.APP_API_TOKEN,
  limits: {
    maxOpenTasks: config.MAX_OPEN_TASKS,
    maxRecurringTasks: config.MAX_RECURRING_TASKS,
    minRecurrencePeriodSeconds: config.RECURRENCE_MIN_PERIOD_SECONDS,
    writesPerSecond: config.WRITES_PER_SECOND,
    writeBurst: config.WRITE_BURST,
  },
  sweep: {
    graceMs: config.SWEEP_GRACE_SECONDS * 1000,
    lookbackMs: config.SWEEP_LOOKBACK_SECONDS * 1000,
    reannounceMs: config.SWEEP_REANNOUNCE_SECONDS * 1000,
  },
  sidecarReady: () => sidecar.outboundHealthy(),
  deadLetters: sidecar,
  page: { notifierUrl: config.NOTIFIER_PUBLIC_URL, devSignIn: config.DEV_SIGN_IN },
  mcp: {
    allowedHosts: config.MCP_ALLOWED_HOSTS,
    allowedOrigins: config.MCP_ALLOWED_ORIGINS,
    authorizationServers: config.MCP_AUTHORIZATION_SERVERS,
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  },
});
relay.start();
// On SIGTERM: drain the outbox (what is claimable goes out before the process ends), then close the pool.
serveApp({
  app,
  listen: config,
  log,
  graceMs: 12_000,
  shutdown: [() => relay.stop(8_000), () => db.destroy()],
});
