import type { Db, Trx } from '../db/database.ts';
import type { TaskLimits } from './task-limits.ts';

/** What every task function needs: the database, who asks, and why (for the events). */
export interface TaskContext {
  db: Db;
  /** The authenticated user: every query is scoped by it. */
  userId: string;
  /** Carried into every event this request causes. */
  correlationId: string;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  /** What one user may ask (quotas, the shortest recurrence). */
  limits: TaskLimits;
  /**
   * Called once a write's transaction committed its events to the outbox: wakes this process's
   * relay (app.ts), which otherwise finds them at its next poll.
   */
  committed?: () => void;
}

/**
 * Runs a write in one transaction and, once it committed, wakes the relay for the events it
 * queued: every task function that writes goes through here (a create, one statement, calls
 * `committed` itself).
 */
export async function inWriteTransaction<T>(ctx: TaskContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(work);
  ctx.committed?.();
  return result;
}

/** The app-id events are published as. */
export const SOURCE = 'chat-api';
