import type { Logger, Sidecar } from '@todo/platform';
import { type Notification, type NotificationStore, reminderFields } from './notification.ts';

/** The output binding (bindings.http) notifications are posted through. */
export const WEBHOOK_BINDING = 'notify-webhook';

export interface WebhookDeliveryOptions {
  sidecar: Pick<Sidecar, 'invokeBinding'>;
  store: NotificationStore;
  log: Logger;
  /** Default `notify-webhook`. */
  binding?: string;
}

export interface WebhookDelivery {
  /**
   * Posts the notification through the binding and records the outcome. Never throws and is
   * never awaited by the in-app path: the sidecar retries per the Resiliency policy
   * (`bindingRetry`), and what still fails is marked `failed`.
   */
  deliver(n: Notification): Promise<void>;
  /** Delivers what a previous process left pending (crashed between storing and delivering). */
  resumePending(olderThan: Date): Promise<number>;
  /** Resolves when no delivery is in flight (tests, shutdown). */
  idle(): Promise<void>;
}

/** The JSON body the webhook receives. */
export function webhookPayload(n: Notification) {
  return { type: 'reminder.due', user_id: n.user_id, ...reminderFields(n) };
}

export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const binding = options.binding ?? WEBHOOK_BINDING;
  const inFlight = new Map<string, Promise<void>>();
  const { store, log } = options;

  async function attempt(n: Notification): Promise<void> {
    const attempts = n.delivery_attempts + 1;
    try {
      // bindings.http sends metadata entries as request headers: the id lets the receiver dedupe.
      await options.sidecar.invokeBinding(binding, 'post', webhookPayload(n), {
        'Content-Type': 'application/json',
        'X-Notification-Id': n.id,
      });
      await store.setDelivery(n.id, 'delivered', attempts, null);
      log.info({ notificationId: n.id, attempts }, 'webhook delivered');
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      log.warn({ notificationId: n.id, attempts, err: message }, 'webhook delivery failed');
      await store.setDelivery(n.id, 'failed', attempts, message).catch((e: unknown) => {
        log.error({ err: e, notificationId: n.id }, 'could not record the failed delivery');
      });
    }
  }

  function deliver(n: Notification): Promise<void> {
    const running = inFlight.get(n.id);
    if (running) return running;
    const p = attempt(n).finally(() => inFlight.delete(n.id));
    inFlight.set(n.id, p);
    return p;
  }

  return {
    deliver,
    async resumePending(olderThan) {
      const pending = await store.pendingDeliveries(olderThan, 1000);
      for (const n of pending) void deliver(n);
      return pending.length;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
    },
  };
}
