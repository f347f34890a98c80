/**
 * Reads notifier's table directly, for tests and benchmarks that count what notifier stored for
 * a user (100,000 rows through the paged HTTP list would measure the list, not the pipeline).
 */
import { createLogger, openDatabase } from '@todo/platform';
import { sql } from 'kysely';

export interface NotificationsReader {
  /** Notifications stored for a user, and how many distinct tasks they are for. */
  countFor(userId: string): Promise<{ n: number; tasks: number }>;
  deleteFor(userId: string): Promise<void>;
  /** `countFor` over every user whose id starts with `prefix` (an index range: the stack's collation is bytewise). */
  countForPrefix(prefix: string): Promise<{ n: number; tasks: number }>;
  deleteForPrefix(prefix: string): Promise<void>;
  /** Each PostgreSQL backend's pid and whose it is: its application_name, else its database. */
  backends(): Promise<Map<number, string>>;
  close(): Promise<void>;
}

/** The first string after every string that starts with `prefix`, in bytewise order. */
function after(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function openNotificationsReader(databaseUrl: string): NotificationsReader {
  const db = openDatabase({
    url: databaseUrl,
    app: 'e2e-notifications',
    max: 2,
    log: createLogger({ name: 'e2e', level: 'warn' }),
  });
  return {
    async countFor(userId) {
      const r = await sql<{ n: string; tasks: string }>`
        select count(*) as n, count(distinct task_id) as tasks from notifier_notifications where user_id = ${userId}`.execute(
        db,
      );
      return { n: Number(r.rows[0]?.n ?? 0), tasks: Number(r.rows[0]?.tasks ?? 0) };
    },
    async deleteFor(userId) {
      await sql`delete from notifier_notifications where user_id = ${userId}`.execute(db);
    },
    async countForPrefix(prefix) {
      const r = await sql<{ n: string; tasks: string }>`
        select count(*) as n, count(distinct task_id) as tasks from notifier_notifications
        where user_id >= ${prefix} and user_id < ${after(prefix)}`.execute(db);
      return { n: Number(r.rows[0]?.n ?? 0), tasks: Number(r.rows[0]?.tasks ?? 0) };
    },
    async deleteForPrefix(prefix) {
      await sql`delete from notifier_notifications where user_id >= ${prefix} and user_id < ${after(prefix)}`.execute(
        db,
      );
    },
    async backends() {
      const r = await sql<{ pid: number; app: string | null; datname: string | null }>`
        select pid, application_name as app, datname from pg_stat_activity`.execute(db);
      return new Map(r.rows.map((b) => [b.pid, b.app || (b.datname ? `db ${b.datname}` : 'postgres')]));
    },
    close: () => db.destroy(),
  };
}
