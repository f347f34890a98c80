/**
 * The PostgreSQL pool and migrations every app with a database shares: the only place of the
 * platform that speaks to the driver. Apps keep their own SQL in their db/store/outbox modules.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import { createLogger, type Logger } from './logger.ts';

export interface DatabaseOptions {
  /** DATABASE_URL, e.g. postgres://todo:***@127.0.0.1:5432/todo */
  url: string;
  /** Shown in pg_stat_activity (`application_name`). */
  app: string;
  log: Logger;
  /** Pool size [10]. */
  max?: number;
  /** How long a query waits for a connection before it fails [5 s]: a database that is down answers 503 soon. */
  connectTimeoutMs?: number;
}

/**
 * Opens the pool and the typed query builder. A connection the server drops (a restart, an
 * idle timeout) is logged and replaced on the next query: it never crashes the process.
 *
 * @example const db = openDatabase<Database>({ url: config.DATABASE_URL, app: 'notifier', log });
 */
export function openDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.app,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  const lost = (err: Error) =>
    options.log.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'database connection lost; the pool reconnects',
    );
  // An idle connection the server drops errors on the pool; one that is checked out (a
  // transaction waiting on the sidecar) errors on itself, and an 'error' event nobody listens to
  // ends the process. Both are logged; the query in flight fails and the next one reconnects.
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

// SQLSTATE classes and codes that mean "the server is not there right now", not "your query is wrong".
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|53400)$/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_TEXT =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/;

/**
 * Names the database when an error means it is unreachable or restarting (so the HTTP layer
 * answers 503 with Retry-After); undefined for any other error.
 */
export function isDatabaseUnavailable(err: unknown): 'the database' | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
      return 'the database';
    if (UNAVAILABLE_TEXT.test(e.message)) return 'the database';
    if (e instanceof AggregateError && e.errors.some((x) => isDatabaseUnavailable(x))) return 'the database';
  }
  return undefined;
}

/** True when the database answers a trivial query (readiness). */
export async function databaseAnswers<DB>(db: Kysely<DB>): Promise<true> {
  await db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
  return true;
}

/**
 * A migration written as SQL: `up` and `down` are statements separated by `;` at the end of a
 * line, run in order (`migrate` runs each migration in its own transaction). Plain SQL is what a
 * reader of the schema wants to see, and what `psql` would run.
 *
 * @example sqlMigration(`create table t (id uuid primary key);`, `drop table t;`)
 */
export function sqlMigration(up: string, down: string): Migration {
  const run = async (db: Kysely<unknown>, script: string) => {
    for (const statement of script
      .split(/;\s*$/m)
      .map((x) => x.trim())
      .filter(Boolean))
      await sql.raw(statement).execute(db);
  };
  return { up: (db) => run(db, up), down: (db) => run(db, down) };
}

/**
 * Brings an app's tables to the latest schema: each migration runs once, in its own
 * transaction, under a lock (safe from several replicas at once). A migration that has run is
 * never edited; a new one is added. Returns the names applied now.
 *
 * A database migrated by a newer version of the app (a rollback, or two versions side by side
 * during a rolling update) holds migrations this code does not know. Migrations only add to the
 * schema, so when every unknown one comes after the last this code knows, the app starts on the
 * schema as it is and `onAhead` hears their names; an unknown one in the middle is an error.
 *
 * @example await migrate(db, { app: 'notifier', migrations: NOTIFIER_MIGRATIONS });
 */
export async function migrate<DB>(
  db: Kysely<DB>,
  options: { app: string; migrations: Record<string, Migration>; onAhead?: (names: string[]) => void },
): Promise<string[]> {
  const prefix = options.app.replaceAll('-', '_');
  const table = `${prefix}_migrations`;
  const known = Object.keys(options.migrations).sort();
  const last = known.at(-1) ?? '';
  const failed = (error: unknown) =>
    new Error(`${options.app} migrations failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  const executed = await executedMigrations(db as Kysely<unknown>, table).catch((err) => {
    throw failed(err);
  });
  const ahead = executed.filter((name) => !(name in options.migrations) && name > last);
  const migrations = { ...options.migrations };
  for (const name of ahead)
    migrations[name] = {
      up: async () => {
        throw new Error(`${name} belongs to a newer version of ${options.app}`);
      },
    };
  if (ahead.length > 0) options.onAhead?.(ahead);
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
    migrationTableName: table,
    migrationLockTableName: `${prefix}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw failed(error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * An app's migration at start (its MIGRATE_ON_START setting): `migrate`, logging what it applied,
 * and warning when the database is ahead of this version (the app then runs on that schema).
 *
 * @example if (config.MIGRATE_ON_START) await migrateOnStart(db, { app: 'notifier', migrations, log });
 */
export async function migrateOnStart<DB>(
  db: Kysely<DB>,
  options: { app: string; migrations: Record<string, Migration>; log: Logger },
): Promise<string[]> {
  const { log } = options;
  const applied = await migrate(db, {
    app: options.app,
    migrations: options.migrations,
    onAhead: (ahead) =>
      log.warn(
        { ahead },
        'the database is ahead of this version (a newer one migrated it): running on its schema',
      ),
  });
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  return applied;
}

/** The names in an app's migration table; none before its first migration created it. */
async function executedMigrations(db: Kysely<unknown>, table: string): Promise<string[]> {
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db);
    return rows.map((r) => r.name);
  } catch (err) {
    if ((err as { code?: unknown }).code === '42P01') return []; // undefined_table
    throw err;
  }
}

/**
 * The body of an app's `migrate-main.ts` (the chart's migration Job): migrates DATABASE_URL to
 * the latest schema, prints what it applied, and exits (2 when DATABASE_URL is not set).
 */
export async function runMigrations(app: string, migrations: Record<string, Migration>): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (eval "$(scripts/stack env)" for the local stack)');
    process.exit(2);
  }
  const db = openDatabase({ url, app: `${app}-migrate`, log: createLogger({ name: `${app}-migrate` }) });
  try {
    const applied = await migrate(db, {
      app,
      migrations,
      onAhead: (ahead) =>
        console.log(`the database is ahead of this version: ${ahead.join(', ')} (left as they are)`),
    });
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `${app} schema is up to date`);
  } finally {
    await db.destroy();
  }
}
