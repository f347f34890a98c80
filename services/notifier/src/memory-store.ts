import type { Notification, NotificationStore } from './notification.ts';

/** An in-memory NotificationStore with the PostgreSQL store's semantics, for unit tests. */
export function createMemoryStore(): NotificationStore & { readonly rows: Notification[] } {
  const rows: Notification[] = [];
  let seq = 0;
  const byUser = (userId: string) => rows.filter((r) => r.user_id === userId);
  return {
    rows,
    async insert(n) {
      if (rows.some((r) => r.id === n.id)) return null;
      const row: Notification = {
        ...n,
        seq: ++seq,
        created_at: new Date().toISOString(),
        read_at: null,
        delivery_status: 'pending',
        delivery_attempts: 0,
        delivery_error: null,
      };
      rows.push(row);
      return { ...row };
    },
    async list(userId, q) {
      return byUser(userId)
        .filter((r) => (q.beforeSeq === undefined || r.seq < q.beforeSeq) && (!q.unreadOnly || !r.read_at))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, q.limit)
        .map((r) => ({ ...r }));
    },
    async since(userId, after, limit) {
      return byUser(userId)
        .filter((r) => r.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
    async markRead(userId, id, at) {
      const row = rows.find((r) => r.id === id && r.user_id === userId);
      if (!row) return null;
      row.read_at ??= at.toISOString();
      return { ...row };
    },
    async setDelivery(id, status, attempts, error) {
      const row = rows.find((r) => r.id === id);
      if (row)
        Object.assign(row, { delivery_status: status, delivery_attempts: attempts, delivery_error: error });
    },
    async pendingDeliveries(olderThan, limit) {
      return rows
        .filter((r) => r.delivery_status === 'pending' && Date.parse(r.created_at) < olderThan.getTime())
        .slice(0, limit)
        .map((r) => ({ ...r }));
    },
  };
}
