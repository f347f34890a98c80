/**
 * A real PostgreSQL, in process, for unit tests: PGlite (PostgreSQL compiled to WebAssembly),
 * behind kysely's own PostgresDialect through a one-connection pool. No network, no server;
 * the same migrations and SQL as production. Queries are serialised (PGlite is one session),
 * so a transaction holds the connection until it ends, as with pg.
 */
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '@todo/platform';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { CHAT_API_MIGRATIONS } from '../db/migrations.ts';
import type { Database } from '../db/schema.ts';

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

export async function createTestDb(): Promise<{ db: Db; pg: PGlite }> {
  const pg = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: onePool(pg) as never }) });
  await migrate(db, { app: 'chat-api', migrations: CHAT_API_MIGRATIONS });
  return { db, pg };
}

/**
 * Makes every insert into the outbox fail while switched on (a trigger raising an exception), so
 * a test can break a write between its first statement and its events.
 */
export async function outboxRefusal(db: Db): Promise<(on: boolean) => Promise<void>> {
  await sql`
    create function refuse_outbox() returns trigger language plpgsql as $$
    begin
      if current_setting('test.refuse_outbox', true) = 'on' then raise exception 'outbox refused by the test'; end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger refuse_outbox before insert on outbox for each row execute function refuse_outbox()`.execute(
    db,
  );
  return async (on) => {
    await sql`select set_config('test.refuse_outbox', ${on ? 'on' : 'off'}, false)`.execute(db);
  };
}
