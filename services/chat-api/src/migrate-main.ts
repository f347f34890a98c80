/** `node src/migrate-main.ts`: brings chat-api's tables to the latest schema, then exits. */
import { createDb } from './db/database.ts';
import { migrateToLatest } from './db/migrations.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const { db } = createDb({ url });
try {
  const applied = await migrateToLatest(db as never);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'chat-api schema is up to date');
} finally {
  await db.destroy();
}
