/** chat-api's database for unit tests: in-process PostgreSQL (@todo/platform/testing-db), migrated. */
import { createTestDatabase } from '@todo/platform/testing-db';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { CHAT_API_MIGRATIONS } from '../db/migrations.ts';
import type { Database } from '../db/schema.ts';

export async function createTestDb(): Promise<{ db: Db; close: () => Promise<void> }> {
  return createTestDatabase<Database>({ app: 'chat-api', migrations: CHAT_API_MIGRATIONS });
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
