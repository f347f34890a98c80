import type { Notification } from './notification.ts';

/**
 * Live notifications for the SSE streams of this process: a listener per connected client,
 * grouped by user. In-process only: with several replicas a client sees the notifications stored
 * by its own replica live, and the rest when it reconnects (Last-Event-ID replays from the table).
 */
export interface NotificationHub {
  subscribe(userId: string, listener: (n: Notification) => void): () => void;
  publish(n: Notification): void;
  readonly listeners: number;
}

export function createNotificationHub(): NotificationHub {
  const byUser = new Map<string, Set<(n: Notification) => void>>();
  let count = 0;
  return {
    subscribe(userId, listener) {
      let set = byUser.get(userId);
      if (!set) {
        set = new Set();
        byUser.set(userId, set);
      }
      set.add(listener);
      count += 1;
      return () => {
        if (set.delete(listener)) count -= 1;
        if (set.size === 0) byUser.delete(userId);
      };
    },
    publish(n) {
      for (const listener of byUser.get(n.user_id) ?? []) listener(n);
    },
    get listeners() {
      return count;
    },
  };
}
