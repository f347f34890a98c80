import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** DATABASE_URL, e.g. postgres://todo:***@127.0.0.1:5432/todo */
  url: string;
  /** Pool size. Default 10. */
  max?: number;
}

/** The connection pool and the typed query builder over it. Only src/db and src/**\/*-store.ts use it. */
export function createDb(options: DbOptions): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: 'chat-api',
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
