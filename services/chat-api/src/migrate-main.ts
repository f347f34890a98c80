/** `node src/migrate-main.ts`: brings chat-api's tables to the latest schema, then exits (the chart's migration Job). */
import { runMigrations } from '@todo/platform';
import { CHAT_API_MIGRATIONS } from './db/migrations.ts';

await runMigrations('chat-api', CHAT_API_MIGRATIONS);
