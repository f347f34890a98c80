import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** chat-api's typed query builder (the pool comes from @todo/platform's `openDatabase`). */
export type Db = Kysely<Database>;
/** A transaction of chat-api's database. */
export type Trx = Transaction<Database>;
