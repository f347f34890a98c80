import { createHmac } from 'node:crypto';
import { createActorHost, type RuntimeWatchdog } from '@todo/actor-host';
import { TOPICS } from '@todo/events';
import {
  createServiceApp,
  type Logger,
  mountSubscriptions,
  type RequestVariables,
  readiness,
  type Sidecar,
  subscription,
} from '@todo/platform';
import type { Hono } from 'hono';
import { createBatchPublisher } from './batch-publisher.ts';
import { TASK_EVENT_TYPES } from './reminder-state.ts';
import { TASK_REMINDER, taskReminderType } from './task-reminder-actor.ts';

export interface AppDeps {
  /** The app-id: the `source` of every event this app publishes. */
  appId: string;
  /** APP_API_TOKEN, required on every route the sidecar calls. */
  appApiToken: string;
  /** The app's sidecar: actor calls, state and reminders, publishing, health. */
  sidecar: Sidecar;
  log: Logger;
  /** The actor runtime's state (main.ts runs it as a watchdog that restarts a stuck sidecar). */
  runtime: Pick<RuntimeWatchdog, 'check'>;
  /** Actor turns running at once [the actor host's default]. */
  maxConcurrentTurns?: number;
  /** Actor instances kept in memory [the actor host's default]. */
  maxActorsInMemory?: number;
  now?: () => Date;
}

/**
 * The secret a TaskReminder method call must carry (`x-actor-call-token`): derived from the
 * app's APP_API_TOKEN, which only task-reminder and its sidecars hold, so every replica agrees
 * and no other app can forge an `apply` (a forged `deleted` would kill a user's reminder) or
 * read a task with `get`.
 */
export function actorCallToken(appApiToken: string): string {
  return createHmac('sha256', appApiToken).update('todo.task-reminder.actor-call').digest('hex');
}

/** The route Dapr delivers task-events to. */
export const TASK_EVENTS_ROUTE = '/events/task-events';

/**
 * task-reminder: subscribes `task-events` and hosts the TaskReminder actors. Each task event is
 * handed to the actor `TaskReminder/<taskId>` through the sidecar, not in process: placement
 * routes the call to whichever replica hosts that actor, and the actor runtime makes it one turn.
 */
export function createApp(deps: AppDeps): Hono<{ Variables: RequestVariables }> {
  const { sidecar, log } = deps;
  const callToken = actorCallToken(deps.appApiToken);
  const app = createServiceApp<{ Variables: RequestVariables }>({ log });
  // Ready means actors work: the sidecar's components, and its actor runtime connected to
  // placement with lookups answering (daprd's own health does not say so after a placement restart).
  app.get(
    '/readyz',
    readiness({ sidecar: () => sidecar.outboundHealthy(), actors: () => deps.runtime.check() }),
  );
  mountSubscriptions(app, {
    appApiToken: deps.appApiToken,
    deadLetters: sidecar,
    dependenciesUp: async () => (await deps.runtime.check()) === true,
    subscriptions: [
      subscription({
        topic: TOPICS.taskEvents,
        route: TASK_EVENTS_ROUTE,
        deadLetterTopic: TOPICS.taskEventsDlq,
        accept: TASK_EVENT_TYPES,
        // Batches, tasks applied side by side (each task's events in order): one partition at a
        // time, one event at a time, could not keep up with thousands of writes a second.
        bulk: { maxMessages: 200, maxAwaitMs: 20, concurrency: 64 },
        async handle(event, ctx) {
          const result = await sidecar.invokeActor(TASK_REMINDER, event.subject, 'apply', event, {
            'x-actor-call-token': callToken,
          });
          ctx.log.debug({ result }, 'task event applied');
        },
      }),
    ],
  });
  const host = createActorHost({
    types: [
      taskReminderType({
        source: deps.appId,
        // Concurrent reminders share bulk publishes; each callback still waits for its own event.
        publish: createBatchPublisher({ sidecar }),
        ...(deps.now ? { now: deps.now } : {}),
      }),
    ],
    appApiToken: deps.appApiToken,
    methodCallToken: callToken,
    sidecar,
    log,
    ...(deps.maxConcurrentTurns ? { maxConcurrentTurns: deps.maxConcurrentTurns } : {}),
    ...(deps.maxActorsInMemory ? { maxActorsInMemory: deps.maxActorsInMemory } : {}),
  });
  app.route('/', host.app);
  return app;
}
