/** `node src/migrate-main.ts`: brings notifier's tables to the latest schema, then exits (the chart's migration Job). */
import { runMigrations } from '@todo/platform';
import { NOTIFIER_MIGRATIONS } from './db/migrations.ts';

await runMigrations('notifier', NOTIFIER_MIGRATIONS);
