/** chat-api's process: configuration, database, relay, HTTP server, and a clean shutdown. */
import { serve } from '@hono/node-server';
import { createLogger, createSidecar } from '@todo/platform';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createDb } from './db/database.ts';
import { migrateToLatest } from './db/migrations.ts';
import { createOutboxRelay, publishThrough } from './outbox/outbox-relay.ts';

const config = loadConfig();
const log = createLogger({ name: 'chat-api', level: config.LOG_LEVEL });
const { db } = createDb({ url: config.DATABASE_URL });
if (config.MIGRATE_ON_START === 'true') {
  const applied = await migrateToLatest(db as never);
  if (applied.length) log.info({ applied }, 'migrations applied');
}
const sidecar = createSidecar({ httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN });
const relay = createOutboxRelay({
  db,
  databaseUrl: config.DATABASE_URL,
  log,
  pollIntervalMs: config.RELAY_POLL_MS,
  waitForSidecar: () => sidecar.waitUntilReady(),
  publish: publishThrough(sidecar),
});
const sidecarUrl = `http://127.0.0.1:${config.DAPR_HTTP_PORT}/v1.0/healthz/outbound`;
const app = createApp({
  db,
  log,
  relay,
  jwtSecret: config.AUTH_JWT_SECRET,
  appApiToken: config.APP_API_TOKEN,
  sweepHorizonMs: config.SWEEP_HORIZON_SECONDS * 1000,
  sidecarReady: async () => (await fetch(sidecarUrl, { signal: AbortSignal.timeout(1000) })).status === 204,
});
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info({ port: info.port }, 'chat-api listening');
});
relay.start();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: no new requests, draining the outbox');
  server.close();
  await relay.stop(10_000);
  await db.destroy();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
