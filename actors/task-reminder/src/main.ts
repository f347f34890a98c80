/**
 * Starts task-reminder: `node src/main.ts` (its sidecar: `dapr run -f .` or scripts/stack's run).
 * Settings from the environment: PORT [3001], DAPR_HTTP_PORT [3501], DAPR_API_TOKEN,
 * APP_API_TOKEN, APP_ID [task-reminder], LOG_LEVEL [info].
 */
import { serve } from '@hono/node-server';
import { createLogger, createSidecar, createSidecarHttp } from '@todo/platform';
import { createApp } from './app.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(
      `task-reminder: ${name} is not set; run with the stack's environment (eval "$(scripts/stack env)")`,
    );
    process.exit(2);
  }
  return value;
}

const appId = process.env.APP_ID ?? 'task-reminder';
const port = Number(process.env.PORT ?? 3001);
const daprHttpPort = process.env.DAPR_HTTP_PORT ?? '3501';
const daprApiToken = required('DAPR_API_TOKEN');
const log = createLogger({ name: appId });

const app = createApp({
  appId,
  appApiToken: required('APP_API_TOKEN'),
  publisher: createSidecar({ httpPort: daprHttpPort, apiToken: daprApiToken }),
  sidecar: createSidecarHttp({ httpPort: daprHttpPort, apiToken: daprApiToken }),
  log,
});

const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) =>
  log.info({ port: info.port, daprHttpPort }, 'task-reminder listening'),
);

function shutdown(signal: string) {
  log.info({ signal }, 'shutting down');
  server.close(() => process.exit(0));
  // Keep-alive connections from the sidecar would hold close() open: drop the idle ones now.
  (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
