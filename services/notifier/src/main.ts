/**
 * Starts notifier: `node src/main.ts`. Settings from the environment: PORT [3002],
 * DAPR_HTTP_PORT [3502], DATABASE_URL, AUTH_JWT_SECRET, DAPR_API_TOKEN, APP_API_TOKEN,
 * NODE_ENV (`development` migrates the tables at start), LOG_LEVEL [info].
 */
import { serve } from '@hono/node-server';
import { createLogger, createSidecarHttp } from '@todo/platform';
import { sql } from 'kysely';
import { createApp } from './app.ts';
import { migrateNotifier } from './db/migrations.ts';
import { createPgStore, openDatabase } from './db/pg-store.ts';
import { createNotificationHub } from './notification-hub.ts';
import { createWebhookDelivery } from './webhook-delivery.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(
      `notifier: ${name} is not set; run with the stack's environment (eval "$(scripts/stack env)")`,
    );
    process.exit(2);
  }
  return value;
}

const log = createLogger({ name: 'notifier' });
const port = Number(process.env.PORT ?? 3002);
const daprHttpPort = process.env.DAPR_HTTP_PORT ?? '3502';
const db = openDatabase(required('DATABASE_URL'));
if (process.env.NODE_ENV === 'development') {
  const applied = await migrateNotifier(db as never);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
}
const store = createPgStore(db);
const sidecar = createSidecarHttp({ httpPort: daprHttpPort, apiToken: required('DAPR_API_TOKEN') });
const delivery = createWebhookDelivery({ sidecar, store, log });
const app = createApp({
  appApiToken: required('APP_API_TOKEN'),
  authJwtSecret: required('AUTH_JWT_SECRET'),
  store,
  sidecar,
  delivery,
  hub: createNotificationHub(),
  log,
  databaseReady: async () => {
    try {
      await sql`select 1`.execute(db);
      return true;
    } catch {
      return false;
    }
  },
});

const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) =>
  log.info({ port: info.port, daprHttpPort }, 'notifier listening'),
);

// Deliveries a previous process left pending (it stopped between storing and posting): once the
// sidecar is up.
setTimeout(async () => {
  try {
    const n = await delivery.resumePending(new Date(Date.now() - 30_000));
    if (n > 0) log.info({ n }, 'resumed pending webhook deliveries');
  } catch (err) {
    log.warn({ err }, 'could not resume pending deliveries');
  }
}, 10_000).unref();

function shutdown(signal: string) {
  log.info({ signal }, 'shutting down');
  // SSE streams never end by themselves: close them with the server.
  server.close(async () => {
    await delivery.idle();
    await db.destroy();
    process.exit(0);
  });
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
