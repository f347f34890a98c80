import type { Db } from '../db/database.ts';

/** What a user set once and every request uses. */
export interface Preferences {
  /** The IANA zone the chat and the tools read dates in when a request names none. */
  timezone: string;
  updated_at: string;
}

export async function findPreferences(db: Db, userId: string): Promise<Preferences | undefined> {
  const row = await db
    .selectFrom('user_preferences')
    .select(['timezone', 'updated_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && { timezone: row.timezone, updated_at: row.updated_at.toISOString() };
}

export async function savePreferences(
  db: Db,
  userId: string,
  prefs: { timezone: string },
  now: Date,
): Promise<Preferences> {
  const row = await db
    .insertInto('user_preferences')
    .values({ user_id: userId, timezone: prefs.timezone, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ timezone: prefs.timezone, updated_at: now }))
    .returning(['timezone', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { timezone: row.timezone, updated_at: row.updated_at.toISOString() };
}
