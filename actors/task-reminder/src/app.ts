import { createActorHost } from '@todo/actor-host';
import { PUBSUB, parseEvent, TOPICS } from '@todo/events';
import {
  createLogger,
  type Logger,
  notFound,
  onError,
  type RequestVariables,
  requestContext,
  requireSidecarToken,
  type Sidecar,
  type SidecarHttp,
} from '@todo/platform';
import { Hono } from 'hono';
import { TASK_EVENT_TYPES } from './reminder-state.ts';
import { TASK_REMINDER, taskReminderType } from './task-reminder-actor.ts';

export interface AppDeps {
  /** The app-id: the `source` of every event this app publishes. */
  appId: string;
  /** APP_API_TOKEN, required on every route the sidecar calls. */
  appApiToken: string;
  /** The sidecar's publish client (@dapr/dapr, wrapped to throw). */
  publisher: Pick<Sidecar, 'publishCloudEvent'>;
  /** The sidecar's actor, reminder and health APIs. */
  sidecar: SidecarHttp;
  log?: Logger;
  now?: () => Date;
}

/** The route Dapr delivers task-events to. */
export const TASK_EVENTS_ROUTE = '/events/task-events';

/**
 * task-reminder: subscribes `task-events` and hosts the TaskReminder actors.
 *
 * The subscription is programmatic (`GET /dapr/subscribe`): the topic, route and dead-letter
 * topic come from the same constants the handler uses, and the app subscribes the same way under
 * `scripts/stack`, `dapr run -f .` and Kubernetes, with no Subscription resource to keep in step
 * (or to scope wrongly, which silently subscribes nobody).
 */
export function createApp(deps: AppDeps): Hono<{ Variables: RequestVariables }> {
  const log = deps.log ?? createLogger({ name: deps.appId });
  const app = new Hono<{ Variables: RequestVariables }>();
  app.onError(onError((err, c) => c.get('log')?.error({ err }, 'unhandled error')));
  app.notFound(notFound);
  app.use(requestContext(log));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) =>
    (await deps.sidecar.outboundHealthy())
      ? c.json({ status: 'ready' })
      : c.json({ status: 'not ready', sidecar: 'unreachable' }, 503),
  );

  const guard = requireSidecarToken(deps.appApiToken);
  app.use('/dapr/subscribe', guard);
  app.use('/events/*', guard);

  app.get('/dapr/subscribe', (c) =>
    c.json([
      {
        pubsubname: PUBSUB,
        topic: TOPICS.taskEvents,
        route: TASK_EVENTS_ROUTE,
        deadLetterTopic: TOPICS.taskEventsDlq,
      },
    ]),
  );

  app.post(TASK_EVENTS_ROUTE, async (c) => {
    const reqLog = c.get('log');
    const parsed = parseEvent(await c.req.text(), TASK_EVENT_TYPES);
    if (!parsed.ok) {
      reqLog.warn({ reason: parsed.reason }, 'task event rejected; dropped to the dead-letter topic');
      return c.json({ status: 'DROP' });
    }
    const event = parsed.event;
    try {
      // Through the sidecar, not in-process: placement routes the call to whichever replica
      // hosts TaskReminder/<taskId>, and the actor runtime makes it one turn.
      const result = await deps.sidecar.invokeActor(TASK_REMINDER, event.subject, 'apply', event);
      reqLog.debug({ eventId: event.id, type: event.type, result }, 'task event applied');
      return c.json({ status: 'SUCCESS' });
    } catch (err) {
      reqLog.error({ err, eventId: event.id, type: event.type }, 'task event not applied; retry');
      return c.json({ status: 'RETRY' });
    }
  });

  const host = createActorHost({
    types: [
      taskReminderType({
        source: deps.appId,
        publish: (event) =>
          deps.publisher.publishCloudEvent(PUBSUB, TOPICS.reminders, event, { partitionKey: event.subject }),
        ...(deps.now ? { now: deps.now } : {}),
      }),
    ],
    appApiToken: deps.appApiToken,
    sidecar: deps.sidecar,
    log,
  });
  app.route('/', host.app);
  return app;
}
