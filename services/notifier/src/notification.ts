/** A stored notification: one per ReminderDue event id. */
export interface Notification {
  /** The ReminderDue event id: the same reminder delivered twice is one notification. */
  id: string;
  /** Insertion order; the SSE event id and the list cursor. */
  seq: number;
  user_id: string;
  task_id: string;
  title: string;
  due_at: string | null;
  remind_at: string;
  occurrence: string;
  fired_at: string;
  created_at: string;
  read_at: string | null;
  /** The webhook delivery: pending until the binding answers, failed once its retries are spent. */
  delivery_status: DeliveryStatus;
  delivery_attempts: number;
  delivery_error: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export type NewNotification = Omit<
  Notification,
  'seq' | 'created_at' | 'read_at' | 'delivery_status' | 'delivery_attempts' | 'delivery_error'
>;

export interface ListQuery {
  limit: number;
  /** Only notifications older than this seq (the cursor). */
  beforeSeq?: number;
  unreadOnly: boolean;
}

/**
 * Where notifications live (`createPgStore`; unit tests run it on in-process PostgreSQL). Every
 * read and write is scoped by user except the delivery bookkeeping.
 */
export interface NotificationStore {
  /**
   * Inserts in one statement: one result per item, in order, null for a duplicate (of a stored
   * notification, or of an earlier item of the same call): the same reminder is one notification.
   */
  insertMany(ns: readonly NewNotification[]): Promise<(Notification | null)[]>;
  /** A user's notifications, newest first. */
  list(userId: string, query: ListQuery): Promise<Notification[]>;
  /** A user's notifications after `seq`, oldest first (SSE resume). */
  since(userId: string, seq: number, limit: number): Promise<Notification[]>;
  /** Marks read (idempotent: the first read time stays); null when the user has no such notification. */
  markRead(userId: string, id: string, at: Date): Promise<Notification | null>;
  /** Deletes up to `limit` notifications stored more than `olderThanMs` ago; returns how many. */
  deleteOlderThan(olderThanMs: number, limit: number): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries that are due (oldest first), for `leaseMs`: no other
   * replica claims them meanwhile, and a claim whose process died is due again when it expires.
   */
  claimDeliveries(limit: number, leaseMs: number): Promise<Notification[]>;
  /** Records a failed delivery attempt: retried after `retryInMs`, or given up (`failed`). */
  recordFailedDelivery(id: string, outcome: DeliveryFailure): Promise<void>;
  /** Records deliveries as delivered, in one statement. */
  recordDelivered(ids: readonly string[]): Promise<void>;
  /** Sets failed deliveries (given up) pending again, due now: a replay. Returns how many. */
  replayFailedDeliveries(ids?: readonly string[]): Promise<number>;
}

/** What one delivery attempt came to. */
/** A failed delivery attempt: its error code, and when to try again (null: given up). */
export interface DeliveryFailure {
  error: string;
  retryInMs: number | null;
}

/** What a notification says about the reminder that fired: the same in the API and the webhook. */
export function reminderFields(n: Notification) {
  return {
    id: n.id,
    task_id: n.task_id,
    title: n.title,
    due_at: n.due_at,
    remind_at: n.remind_at,
    occurrence: n.occurrence,
    fired_at: n.fired_at,
  };
}

/** The notification as the API answers it. */
export function toApi(n: Notification) {
  return {
    ...reminderFields(n),
    created_at: n.created_at,
    read_at: n.read_at,
    delivery: { status: n.delivery_status, attempts: n.delivery_attempts, error: n.delivery_error },
  };
}
