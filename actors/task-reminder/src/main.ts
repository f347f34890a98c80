/**
 * Starts task-reminder: `node src/main.ts` (its sidecar: `dapr run -f .`, or a pod's daprd).
 * Settings (loadConfig): PORT [3001], HOST [127.0.0.1], DAPR_HTTP_PORT [3501], DAPR_API_TOKEN,
 * APP_API_TOKEN, APP_ID [task-reminder], LOG_LEVEL [info], ACTOR_MAX_TURNS [256]: actor turns
 * running at once (the rest wait in arrival order; docs/architecture.md, "Under load"),
 * ACTORS_IN_MEMORY [100000]: actor instances kept in memory (the least recently used past it is
 * dropped and reads its state again when next called).
 */
import { createRuntimeWatchdog } from '@todo/actor-host';
import {
  CountSetting,
  commonSettings,
  createLogger,
  createSidecar,
  loadConfig,
  serveApp,
} from '@todo/platform';
import * as v from 'valibot';
import { createApp } from './app.ts';
import { TASK_REMINDER } from './task-reminder-actor.ts';

const config = loadConfig(
  'task-reminder',
  v.object({
    ...commonSettings({ port: '3001', daprHttpPort: '3501' }),
    APP_ID: v.optional(v.string(), 'task-reminder'),
    ACTOR_MAX_TURNS: v.optional(v.pipe(CountSetting, v.minValue(1)), '256'),
    ACTORS_IN_MEMORY: v.optional(v.pipe(CountSetting, v.minValue(1)), '100000'),
  }),
);
const log = createLogger({ name: config.APP_ID, level: config.LOG_LEVEL });
const sidecar = createSidecar({ httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN });
const runtime = createRuntimeWatchdog({ sidecar, log, actorType: TASK_REMINDER });
const app = createApp({
  appId: config.APP_ID,
  appApiToken: config.APP_API_TOKEN,
  sidecar,
  log,
  runtime,
  maxConcurrentTurns: config.ACTOR_MAX_TURNS,
  maxActorsInMemory: config.ACTORS_IN_MEMORY,
});
serveApp({ app, listen: config, log, shutdown: [async () => runtime.stop()] });
// Started once the sidecar is up: until then there is no runtime to watch.
sidecar
  .waitUntilReady(10 * 60_000)
  .then(() => runtime.start())
  .catch((err: unknown) => log.error({ err }, 'the sidecar never came up; the actor runtime is not watched'));
