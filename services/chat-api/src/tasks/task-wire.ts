import type { Task } from '@todo/events';
import type { TaskRow } from '../db/schema.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A task row as the API and the events show it: RFC 3339 UTC strings. */
export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    tags: row.tags,
    due_at: iso(row.due_at),
    remind_at: iso(row.remind_at),
    recurrence: row.recurrence,
    timezone: row.timezone,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    completed_at: iso(row.completed_at),
  };
}
