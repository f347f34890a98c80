/**
 * @todo/actor-host: the Dapr actor protocol served from a Hono app (the JS SDK's actor server
 * only runs on express). Actor types are plain classes implementing `Actor`; their state and
 * reminders go through the app's sidecar (`createSidecar` from @todo/platform).
 */
export type { Actor, ActorContext, ActorMethod, ActorReminders, ActorState, ActorType } from './actor.ts';
export {
  type ActorHost,
  type ActorHostOptions,
  type ActorRuntimeConfig,
  createActorHost,
} from './actor-host.ts';
export {
  createRuntimeWatchdog,
  type RuntimeWatchdog,
  type RuntimeWatchdogOptions,
} from './runtime-watchdog.ts';
export { createTurnQueue, type TurnQueue } from './turn-queue.ts';
