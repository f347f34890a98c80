/** `node src/migrate-main.ts`: brings chat-api's tables to the latest schema, then exits. */
import { createLogger, migrate, openDatabase } from '@todo/platform';
import { CHAT_API_MIGRATIONS } from './db/migrations.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const db = openDatabase({ url, app: 'chat-api-migrate', log: createLogger({ name: 'chat-api-migrate' }) });
try {
  const applied = await migrate(db, { app: 'chat-api', migrations: CHAT_API_MIGRATIONS });
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'chat-api schema is up to date');
} finally {
  await db.destroy();
}
