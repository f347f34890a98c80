import type { TaskContext } from '../tasks/task-context.ts';
import { findPreferences } from './preferences-store.ts';

/**
 * The zone a request's dates mean: the one it names, else the one the user set once (the page
 * sets it from the browser), else UTC.
 */
export async function userTimeZone(ctx: TaskContext, named?: string): Promise<string> {
  if (named) return named;
  return (await findPreferences(ctx.db, ctx.userId))?.timezone ?? 'UTC';
}
