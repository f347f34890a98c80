/**
 * `@todo/platform/testing-db`: a real PostgreSQL, in process, for unit tests — PGlite
 * (PostgreSQL compiled to WebAssembly) behind kysely's own PostgresDialect through a
 * one-connection pool. No network, no server; the same migrations and SQL as production. Queries
 * are serialised (PGlite is one session), so a transaction holds the connection until it ends,
 * as with pg. Never imported by production code.
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { Migration } from 'kysely/migration';
import { migrate } from './database.ts';

function onePool(pg: PGlite) {
  let busy: Promise<void> = Promise.resolve();
  const client = {
    async query(sql: string, params: unknown[] = []) {
      const r = await pg.query(sql, params as never[]);
      const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT';
      return { rows: r.rows, command, rowCount: r.affectedRows ?? r.rows.length };
    },
    release() {},
  };
  return {
    async connect() {
      let release!: () => void;
      const previous = busy;
      busy = new Promise<void>((r) => {
        release = r;
      });
      await previous;
      return { ...client, release };
    },
    async end() {
      await pg.close();
    },
  };
}

/** A fresh in-process database migrated with an app's migrations; `close()` when done. */
export async function createTestDatabase<DB>(options: {
  app: string;
  migrations: Record<string, Migration>;
}): Promise<{ db: Kysely<DB>; close: () => Promise<void> }> {
  const pg = await PGlite.create();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: onePool(pg) as never }) });
  await migrate(db, options);
  return { db, close: () => pg.close() };
}
