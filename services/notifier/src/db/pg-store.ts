import { type Kysely, type Selectable, sql } from 'kysely';
import type { DeliveryStatus, NewNotification, Notification, NotificationStore } from '../notification.ts';
import type { Database, NotificationsTable } from './schema.ts';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

type NotificationRow = Selectable<NotificationsTable>;

function fromRow(r: NotificationRow): Notification {
  return {
    id: r.id,
    seq: Number(r.seq),
    user_id: r.user_id,
    task_id: r.task_id,
    title: r.title,
    due_at: iso(r.due_at),
    remind_at: new Date(r.remind_at).toISOString(),
    occurrence: new Date(r.occurrence).toISOString(),
    fired_at: new Date(r.fired_at).toISOString(),
    created_at: new Date(r.created_at).toISOString(),
    read_at: iso(r.read_at),
    delivery_status: r.delivery_status as DeliveryStatus,
    delivery_attempts: r.delivery_attempts,
    delivery_error: r.delivery_error,
  };
}

/** The NotificationStore over PostgreSQL (table `notifier_notifications`). */
export function createPgStore(db: Kysely<Database>): NotificationStore {
  const table = 'notifier_notifications' as const;
  async function insertMany(ns: readonly NewNotification[]): Promise<(Notification | null)[]> {
    if (ns.length === 0) return [];
    const rows = await db
      .insertInto(table)
      .values([...ns])
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .execute();
    const byId = new Map(rows.map((r) => [r.id, fromRow(r)]));
    // The first item with an id gets its row; a repeat of it in the same call is a duplicate.
    return ns.map((n) => {
      const stored = byId.get(n.id) ?? null;
      byId.delete(n.id);
      return stored;
    });
  }
  return {
    insertMany,
    async list(userId, q) {
      let query = db.selectFrom(table).selectAll().where('user_id', '=', userId);
      if (q.beforeSeq !== undefined) query = query.where('seq', '<', String(q.beforeSeq));
      if (q.unreadOnly) query = query.where('read_at', 'is', null);
      const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
      return rows.map(fromRow);
    },
    async since(userId, after, limit) {
      const rows = await db
        .selectFrom(table)
        .selectAll()
        .where('user_id', '=', userId)
        .where('seq', '>', String(after))
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    async deleteOlderThan(olderThanMs, limit) {
      const r = await sql`
        delete from notifier_notifications where id in (
          select id from notifier_notifications
          where created_at < now() - make_interval(secs => ${olderThanMs / 1000})
          order by created_at limit ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },
    async markRead(userId, id, at) {
      await db
        .updateTable(table)
        .set({ read_at: at })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .execute();
      const row = await db
        .selectFrom(table)
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async claimDeliveries(limit, leaseMs) {
      const rows = await sql<NotificationRow>`
        update notifier_notifications set next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
        where id in (
          select id from notifier_notifications
          where delivery_status = 'pending' and next_attempt_at <= now()
          order by next_attempt_at limit ${limit} for update skip locked)
        returning *`.execute(db);
      return rows.rows.map(fromRow);
    },
    async recordDelivered(ids) {
      if (ids.length === 0) return;
      await db
        .updateTable(table)
        .set({
          delivery_status: 'delivered',
          delivery_attempts: sql<number>`delivery_attempts + 1`,
          delivery_error: null,
        })
        .where('id', 'in', [...ids])
        .execute();
    },
    async recordFailedDelivery(id, outcome) {
      const attempts = sql<number>`delivery_attempts + 1`;
      await db
        .updateTable(table)
        .set({
          delivery_status: outcome.retryInMs === null ? 'failed' : 'pending',
          delivery_attempts: attempts,
          delivery_error: outcome.error,
          // PostgreSQL's clock, like the claim's: replicas' clocks never mix.
          ...(outcome.retryInMs === null
            ? {}
            : { next_attempt_at: sql<Date>`now() + make_interval(secs => ${outcome.retryInMs / 1000})` }),
        })
        .where('id', '=', id)
        .execute();
    },
    async replayFailedDeliveries(ids) {
      let q = db
        .updateTable(table)
        .set({ delivery_status: 'pending', next_attempt_at: sql<Date>`now()` })
        .where('delivery_status', '=', 'failed');
      if (ids) q = q.where('id', 'in', ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000']);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
