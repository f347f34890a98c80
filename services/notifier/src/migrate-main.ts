/** `node src/migrate-main.ts`: brings notifier's tables to the latest schema, then exits. */
import { migrateNotifier } from './db/migrations.ts';
import { openDatabase } from './db/pg-store.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const db = openDatabase(url);
try {
  const applied = await migrateNotifier(db as never);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'notifier schema is up to date');
} finally {
  await db.destroy();
}
