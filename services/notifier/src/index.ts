/**
 * @todo/notifier: `createApp(deps)` builds the app (tests pass a memory store and a mocked
 * sidecar); `main.ts` serves it over PostgreSQL; `migrate-main.ts` migrates its tables.
 */
export { type AppDeps, createApp, REMINDERS_ROUTE } from './app.ts';
export { NOTIFIER_MIGRATIONS } from './db/migrations.ts';
export { createPgStore } from './db/pg-store.ts';
export { createMemoryStore } from './memory-store.ts';
export type { Notification, NotificationStore } from './notification.ts';
export { createNotificationHub, type NotificationHub } from './notification-hub.ts';
export { createWebhookDelivery, WEBHOOK_BINDING, webhookPayload } from './webhook-delivery.ts';
