/** The Dapr pub/sub component every app publishes and subscribes through. */
export const PUBSUB = 'kafka-pubsub';

/** Kafka topics (partitions in docs/architecture.md; created by scripts/stack and the chart). */
export const TOPICS = {
  /** Task lifecycle events from chat-api; key = task id. Consumer: task-reminder. */
  taskEvents: 'task-events',
  /** One compact change record per write, for analytics; key = task id. */
  taskUpdates: 'task-updates',
  /** ReminderDue events from task-reminder; key = task id. Consumer: notifier. */
  reminders: 'reminders',
  taskEventsDlq: 'task-events-dlq',
  remindersDlq: 'reminders-dlq',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
