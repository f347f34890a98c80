/**
 * @todo/notifier: `createApp(deps)` builds the app (tests pass an in-process database and a
 * fake sidecar); `main.ts` serves it over PostgreSQL with the webhook outbox running;
 * `migrate-main.ts` migrates its tables.
 */
export { type AppDeps, createApp, REMINDERS_ROUTE } from './app.ts';
export { NOTIFIER_MIGRATIONS } from './db/migrations.ts';
export { createPgStore } from './db/pg-store.ts';
export type { Notification, NotificationStore } from './notification.ts';
export { createNotificationHub, type NotificationHub } from './notification-hub.ts';
export {
  createWebhookDelivery,
  DEFAULT_DELIVERY_POLICY,
  type DeliveryPolicy,
  deliveryErrorCode,
  signatureHeaders,
  signingKey,
  WEBHOOK_BINDING,
  type WebhookDelivery,
  webhookPayload,
} from './webhook-delivery.ts';
