import { join } from 'node:path';
import { type AppProcess, startApp } from './app-process.ts';
import { type SidecarProcess, startSidecar } from './sidecar-process.ts';
import type { StackEnv } from './stack-env.ts';

const ROOT = join(import.meta.dirname, '../..');

/** chat-api's ports, as in dapr.yaml. */
export const CHAT_API_PORTS = { app: 3000, http: 3500, grpc: 20101, internalGrpc: 20201, metrics: 9501 };

/** chat-api as its own process (`node src/main.ts`), configured for the running stack. */
export function startChatApi(stack: StackEnv, logDir: string, env: Record<string, string> = {}): AppProcess {
  return startApp({
    dir: join(ROOT, 'services/chat-api'),
    name: 'chat-api',
    port: CHAT_API_PORTS.app,
    logDir,
    env: {
      DAPR_HTTP_PORT: String(CHAT_API_PORTS.http),
      DATABASE_URL: stack.databaseUrl,
      AUTH_JWT_SECRET: stack.jwtSecret,
      DAPR_API_TOKEN: stack.daprApiToken,
      APP_API_TOKEN: stack.appApiToken,
      METRICS_TOKEN: stack.metricsToken,
      WRITES_PER_SECOND: '100000',
      WRITE_BURST: '100000',
      MAX_OPEN_TASKS: '1000000',
      RECURRENCE_MIN_PERIOD_SECONDS: '1',
      ...env,
    },
  });
}

/** chat-api's real daprd, on the project's dapr-components. */
export function startChatApiSidecar(stack: StackEnv, logDir: string): SidecarProcess {
  return startSidecar(stack, {
    appId: 'chat-api',
    ports: CHAT_API_PORTS,
    resourcesPath: join(ROOT, 'dapr-components'),
    configPath: join(ROOT, 'dapr-components/config.yaml'),
    logDir,
  });
}
