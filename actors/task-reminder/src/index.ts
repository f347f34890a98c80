/**
 * @todo/task-reminder: the actor host app. `createApp(deps)` builds it (tests pass fakes);
 * `main.ts` serves it. The TaskReminder actor and its pure decision function are exported for tests.
 */
export { type AppDeps, actorCallToken, createApp, TASK_EVENTS_ROUTE } from './app.ts';
export { decide, type ReminderState, retryDelayMs } from './reminder-state.ts';
export { REMINDER_NAME, TASK_REMINDER, TaskReminderActor, taskReminderType } from './task-reminder-actor.ts';
