/** `node src/migrate-main.ts`: brings notifier's tables to the latest schema, then exits. */
import { createLogger, migrate, openDatabase } from '@todo/platform';
import { NOTIFIER_MIGRATIONS } from './db/migrations.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (eval "$(scripts/stack env)" for the local stack)');
  process.exit(2);
}
const db = openDatabase({ url, app: 'notifier-migrate', log: createLogger({ name: 'notifier-migrate' }) });
try {
  const applied = await migrate(db, { app: 'notifier', migrations: NOTIFIER_MIGRATIONS });
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'notifier schema is up to date');
} finally {
  await db.destroy();
}
