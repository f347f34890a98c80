/**
 * The whole system on the real stack, for end-to-end tests and benchmarks: chat-api,
 * task-reminder and notifier, each as its own process (`node src/main.ts`) under its own real
 * daprd on the project's dapr-components, with the ports of dapr.yaml, plus a webhook sink for
 * notifier's notify-webhook binding. Every log goes to `logDir`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppProcess, startApp } from './app-process.ts';
import { CHAT_API_PORTS } from './chat-api-process.ts';
import { startSidecarWithEnv } from './daprd-with-env.ts';
import type { SidecarPorts, SidecarProcess } from './sidecar-process.ts';
import type { StackEnv } from './stack-env.ts';
import { until } from './wait.ts';

const ROOT = join(import.meta.dirname, '../..');

export type AppName = 'chat-api' | 'task-reminder' | 'notifier';

/** The ports of dapr.yaml. */
export const PORTS: Record<AppName, SidecarPorts> = {
  'chat-api': CHAT_API_PORTS,
  'task-reminder': { app: 3001, http: 3501, grpc: 20102, internalGrpc: 20202, metrics: 9502 },
  notifier: { app: 3002, http: 3502, grpc: 20103, internalGrpc: 20203, metrics: 9503 },
};
const DIRS: Record<AppName, string> = {
  'chat-api': 'services/chat-api',
  'task-reminder': 'actors/task-reminder',
  notifier: 'services/notifier',
};
export const SINK_PORT = 3990;

export interface SystemOptions {
  logDir: string;
  /** Extra environment per app. */
  env?: Partial<Record<AppName, Record<string, string>>>;
  /** Extra daprd flags per app. */
  daprdArgs?: Partial<Record<AppName, string[]>>;
  /** Extra environment of every daprd (e.g. GOGC). */
  daprdEnv?: Record<string, string>;
  /** The resources folder [dapr-components/]. */
  resourcesPath?: string;
  /** Extra arguments of the webhook sink (scripts/webhook-sink.ts), e.g. `--delay-ms 200`. */
  sinkArgs?: string[];
}

/**
 * A copy of dapr-components/ with the reminder sweep's cron on another schedule (e.g. `@every
 * 10s`), for tests that wait for the sweep to repair something.
 */
export function componentsWithSweepEvery(schedule: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'todo-components-'));
  cpSync(join(ROOT, 'dapr-components'), dir, { recursive: true });
  const file = join(dir, 'reminder-sweep.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/value: "@every [^"]+"/, `value: "${schedule}"`));
  return dir;
}

/** A webhook delivery as the sink recorded it. */
export interface SinkDelivery {
  at: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The Standard Webhooks signature as the sink checked it against what it received. */
  signature?: 'valid' | 'invalid' | 'unsigned';
}

export interface System {
  readonly url: Record<AppName, string>;
  app(name: AppName): AppProcess;
  sidecar(name: AppName): SidecarProcess;
  /** Every delivery the webhook sink received. */
  deliveries(): Promise<SinkDelivery[]>;
  /** Kills an app's process (not its sidecar) with a signal [SIGKILL]. */
  kill(name: AppName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts an app's process again after `kill`, and waits until its sidecar reaches it. */
  restart(name: AppName): Promise<void>;
  stop(): Promise<void>;
}

/** task-reminder's V8 heap bounds, as dapr.yaml runs it. */
export const TASK_REMINDER_NODE_OPTIONS = '--max-semi-space-size=8 --max-old-space-size=192';

export async function startSystem(stack: StackEnv, options: SystemOptions): Promise<System> {
  const { logDir } = options;
  const resourcesPath = options.resourcesPath ?? join(ROOT, 'dapr-components');
  const configPath = join(ROOT, 'dapr-components/config.yaml');
  const names: AppName[] = ['chat-api', 'task-reminder', 'notifier'];
  const common = { DAPR_API_TOKEN: stack.daprApiToken, APP_API_TOKEN: stack.appApiToken, LOG_LEVEL: 'info' };
  const envOf: Record<AppName, Record<string, string>> = {
    'chat-api': {
      DATABASE_URL: stack.databaseUrl,
      AUTH_JWT_SECRET: stack.jwtSecret,
      RELAY_POLL_MS: '500',
      // Tests write fast and watch SECONDLY series: the per-user limits have their own tests.
      WRITES_PER_SECOND: '100000',
      WRITE_BURST: '100000',
      MAX_OPEN_TASKS: '1000000',
      RECURRENCE_MIN_PERIOD_SECONDS: '1',
    },
    'task-reminder': { NODE_OPTIONS: TASK_REMINDER_NODE_OPTIONS },
    notifier: {
      DATABASE_URL: stack.databaseUrl,
      AUTH_JWT_SECRET: stack.jwtSecret,
      WEBHOOK_SIGNING_SECRET: stack.webhookSigningSecret,
    },
  };
  const launch = (name: AppName) =>
    startApp({
      dir: join(ROOT, DIRS[name]),
      name,
      port: PORTS[name].app,
      logDir,
      env: { ...common, DAPR_HTTP_PORT: String(PORTS[name].http), ...envOf[name], ...options.env?.[name] },
    });

  const sink: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'scripts/webhook-sink.ts'),
      '--port',
      String(SINK_PORT),
      '--secret',
      stack.webhookSigningSecret,
      ...(options.sinkArgs ?? []),
    ],
    { stdio: 'ignore' },
  );
  const sinkUrl = `http://127.0.0.1:${SINK_PORT}`;
  const apps = new Map<AppName, AppProcess>(names.map((n) => [n, launch(n)]));
  await Promise.all([...apps.values()].map((a) => a.ready()));
  const sidecars = new Map<AppName, SidecarProcess>(
    names.map((n) => [
      n,
      startSidecarWithEnv(
        stack,
        { appId: n, ports: PORTS[n], resourcesPath, configPath, logDir },
        { ...options.daprdEnv, ...(n === 'notifier' ? { NOTIFY_WEBHOOK_URL: `${sinkUrl}/hook` } : {}) },
        options.daprdArgs?.[n] ?? [],
      ),
    ]),
  );
  await Promise.all([...sidecars.values()].map((s) => s.ready(90_000)));
  await until('the webhook sink', async () => ((await fetch(`${sinkUrl}/deliveries`)).ok ? true : undefined));

  const get = <T>(m: Map<AppName, T>, n: AppName): T => {
    const v = m.get(n);
    if (!v) throw new Error(`no ${n} in this system`);
    return v;
  };
  return {
    url: Object.fromEntries(names.map((n) => [n, `http://127.0.0.1:${PORTS[n].app}`])) as Record<
      AppName,
      string
    >,
    app: (n) => get(apps, n),
    sidecar: (n) => get(sidecars, n),
    async deliveries() {
      return (await (await fetch(`${sinkUrl}/deliveries`)).json()) as SinkDelivery[];
    },
    async kill(name, signal = 'SIGKILL') {
      await get(apps, name).stop(signal);
    },
    async restart(name) {
      const app = launch(name);
      apps.set(name, app);
      await app.ready();
      await get(sidecars, name).ready(90_000);
    },
    async stop() {
      await Promise.all([...sidecars.values()].map((s) => s.stop()));
      await Promise.all([...apps.values()].map((a) => a.stop()));
      sink.kill('SIGTERM');
    },
  };
}
