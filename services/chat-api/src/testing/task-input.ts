import type { CreateTaskInput } from '../tasks/task-schemas.ts';

/** The input of a plain task (no dates, no reminder), for tests that need one to exist. */
export function plainTaskInput(title: string): CreateTaskInput {
  return {
    title,
    description: null,
    priority: 'low',
    tags: [],
    due_at: null,
    remind_at: null,
    recurrence: 'none',
    timezone: 'UTC',
  };
}
