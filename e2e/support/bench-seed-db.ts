/** Fills chat-api's tasks table for a benchmark, straight in SQL (no events: nothing to publish). */
import { createLogger, openDatabase } from '@todo/platform';
import { sql } from 'kysely';

/**
 * Writes `n` tasks for users `<userPrefix>0` … `<userPrefix><users - 1>` (spread evenly), half of
 * them open and half completed, in batches of 20,000, then analyzes the table.
 */
export async function seedTasks(
  databaseUrl: string,
  options: { n: number; userPrefix: string; users: number; say: (line: string) => void },
): Promise<void> {
  const { n, userPrefix, users, say } = options;
  const db = openDatabase({
    url: databaseUrl,
    app: 'bench-seed',
    max: 1,
    log: createLogger({ name: 'bench', level: 'warn' }),
  });
  try {
    const batch = 20_000;
    for (let from = 0; from < n; from += batch) {
      const to = Math.min(n, from + batch);
      await sql`
        insert into tasks (id, user_id, title, status, priority, tags, recurrence, timezone, version,
                           created_at, updated_at, completed_at)
        select gen_random_uuid(), ${userPrefix} || (g % ${users}), 'seeded ' || g,
               case when g % 2 = 0 then 'open' else 'completed' end, 'medium', '{bench}', 'none', 'UTC', 1,
               now() - make_interval(secs => g), now(), case when g % 2 = 0 then null else now() end
        from generate_series(${from}::int, ${to - 1}::int) g`.execute(db);
      say(`seeded ${to} of ${n} tasks`);
    }
    await sql`analyze tasks`.execute(db);
    const total = await sql<{ n: string }>`select count(*) as n from tasks`.execute(db);
    say(`the tasks table now holds ${total.rows[0]?.n} rows`);
  } finally {
    await db.destroy();
  }
}
