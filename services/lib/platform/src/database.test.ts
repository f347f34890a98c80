import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { migrate, migrateOnStart, sqlMigration } from './database.ts';
import type { Logger } from './logger.ts';
import { createTestDatabase } from './testing-db.ts';

const m1 = sqlMigration('create table a (id int);', 'drop table a;');
const m2 = sqlMigration('create table b (id int);', 'drop table b;');
const m3 = sqlMigration('create table c (id int);', 'drop table c;');

describe('migrate', () => {
  it('applies what is new, once', async () => {
    const { db, close } = await createTestDatabase({ app: 'demo', migrations: { '0001_a': m1 } });
    expect(await migrate(db, { app: 'demo', migrations: { '0001_a': m1, '0002_b': m2 } })).toEqual([
      '0002_b',
    ]);
    expect(await migrate(db, { app: 'demo', migrations: { '0001_a': m1, '0002_b': m2 } })).toEqual([]);
    await close();
  });

  it('starts an older version on a database a newer one migrated, and names what it does not know', async () => {
    const newer = { '0001_a': m1, '0002_b': m2, '0003_c': m3 };
    const { db, close } = await createTestDatabase({ app: 'demo', migrations: newer });
    const ahead: string[][] = [];
    // The older code (a rollback) knows only the first migration.
    const applied = await migrate(db, {
      app: 'demo',
      migrations: { '0001_a': m1 },
      onAhead: (n) => ahead.push(n),
    });
    expect(applied).toEqual([]);
    expect(ahead).toEqual([['0002_b', '0003_c']]);
    // The schema is left as the newer version made it.
    await sql`select id from c`.execute(db);
    // And the newer version, back again, has nothing to do.
    expect(await migrate(db, { app: 'demo', migrations: newer })).toEqual([]);
    await close();
  });

  it('refuses a database holding an unknown migration between known ones (another branch)', async () => {
    const { db, close } = await createTestDatabase({
      app: 'demo',
      migrations: { '0001_a': m1, '0002_other': m2 },
    });
    await expect(migrate(db, { app: 'demo', migrations: { '0001_a': m1, '0003_c': m3 } })).rejects.toThrow(
      /demo migrations failed: .*0002_other/,
    );
    await close();
  });
});

describe('migrateOnStart', () => {
  const recordingLog = () => {
    const log = { info: vi.fn(), warn: vi.fn() };
    return { log, logger: log as unknown as Logger };
  };

  it('migrates and logs what it applied; nothing when there was nothing to do', async () => {
    const { db, close } = await createTestDatabase({ app: 'demo', migrations: { '0001_a': m1 } });
    const { log, logger } = recordingLog();
    const migrations = { '0001_a': m1, '0002_b': m2 };
    expect(await migrateOnStart(db, { app: 'demo', migrations, log: logger })).toEqual(['0002_b']);
    expect(log.info).toHaveBeenCalledWith({ applied: ['0002_b'] }, 'migrations applied');
    log.info.mockClear();
    expect(await migrateOnStart(db, { app: 'demo', migrations, log: logger })).toEqual([]);
    expect(log.info).not.toHaveBeenCalled();
    expect(log.warn).not.toHaveBeenCalled();
    await close();
  });

  it('warns when the database is ahead of this version, and starts on its schema', async () => {
    const { db, close } = await createTestDatabase({
      app: 'demo',
      migrations: { '0001_a': m1, '0002_b': m2 },
    });
    const { log, logger } = recordingLog();
    expect(await migrateOnStart(db, { app: 'demo', migrations: { '0001_a': m1 }, log: logger })).toEqual([]);
    expect(log.warn).toHaveBeenCalledWith(
      { ahead: ['0002_b'] },
      'the database is ahead of this version (a newer one migrated it): running on its schema',
    );
    await close();
  });
});
