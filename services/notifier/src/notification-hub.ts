import type { Notification } from './notification.ts';

/** A task of the user's changed (a `task-updates` record): the page refreshes that task. */
export interface TaskChange {
  id: string;
  version: number;
  op: 'created' | 'updated' | 'completed' | 'deleted';
  fields: string[];
  at: string;
}

/** What an open stream is told: a notification (stored, with its seq) or a task change (a hint). */
export type LiveEvent =
  | { kind: 'notification'; notification: Notification }
  | { kind: 'task'; change: TaskChange };

/**
 * Live events for the SSE streams of this process: a listener per connected client, grouped by
 * user. In-process only: with several replicas a client sees live what its own replica consumed,
 * and the notifications stored by the others when it reconnects (Last-Event-ID replays them from
 * the table); a task change consumed by another replica reaches the page at its next refresh.
 */
export interface NotificationHub {
  /** Adds a listener for a user's events; the function it returns removes it. */
  subscribe(userId: string, listener: (e: LiveEvent) => void): () => void;
  publish(n: Notification): void;
  publishTask(userId: string, change: TaskChange): void;
  /** How many listeners a user has now (their open streams on this replica). */
  listenersOf(userId: string): number;
  readonly listeners: number;
}

export function createNotificationHub(): NotificationHub {
  const byUser = new Map<string, Set<(e: LiveEvent) => void>>();
  let count = 0;
  const emit = (userId: string, e: LiveEvent) => {
    for (const listener of byUser.get(userId) ?? []) listener(e);
  };
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
      emit(n.user_id, { kind: 'notification', notification: n });
    },
    publishTask(userId, change) {
      emit(userId, { kind: 'task', change });
    },
    listenersOf(userId) {
      return byUser.get(userId)?.size ?? 0;
    },
    get listeners() {
      return count;
    },
  };
}
