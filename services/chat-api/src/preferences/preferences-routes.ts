import { TimeZoneSchema } from '@todo/events';
import { valid } from '@todo/platform';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { ChatApiEnv } from '../http/env.ts';
import { findPreferences, savePreferences } from './preferences-store.ts';

export const PreferencesSchema = v.strictObject({
  /** An IANA zone (`Europe/Paris`): "what's due this week" is this week in that zone. */
  timezone: TimeZoneSchema,
});

/**
 * `/v1/preferences`: what the user set once. GET answers `{ timezone: null }` before the first
 * PUT (the chat then reads dates in UTC); PUT replaces them.
 */
export const preferencesRoutes = new Hono<ChatApiEnv>()
  .get('/', async (c) => {
    const { db, userId } = c.get('ctx');
    return c.json((await findPreferences(db, userId)) ?? { timezone: null, updated_at: null });
  })
  .put('/', valid('json', PreferencesSchema), async (c) => {
    const { db, userId, now } = c.get('ctx');
    return c.json(await savePreferences(db, userId, c.req.valid('json'), now()));
  });
