import type { AnyTodoEvent, Task, TaskChanges } from '@todo/events';
import { seriesStart } from '@todo/recurrence';

/**
 * What one TaskReminder actor keeps (actor state key `task`): the last applied task version, the
 * fields a reminder needs, and where its series stands. Deleted tasks keep a tombstone, so a late
 * duplicate of an old event cannot bring their reminder back.
 */
export interface ReminderState {
  task_id: string;
  user_id: string;
  title: string;
  due_at: string | null;
  remind_at: string | null;
  recurrence: string;
  timezone: string;
  status: 'open' | 'completed' | 'deleted';
  /** The last applied task version. */
  version: number;
  /** The occurrence the reminder `due` is registered for; null when none is. */
  next: string | null;
  /** Its number in the series (1 = `remind_at`), for COUNT. */
  next_index: number;
  /** Failed attempts to publish `next`'s ReminderDue (the reminder is re-armed with backoff). */
  attempts: number;
  /** The correlation id of the request that last set the reminder, carried into ReminderDue. */
  correlation_id?: string;
}

/** What the actor does with the reminder `due` after applying an event. */
export type ReminderAction = 'register' | 'delete' | 'keep';

export type Decision =
  | { kind: 'ignore'; reason: 'stale' | 'repeat' | 'user-mismatch' }
  | { kind: 'apply'; state: ReminderState; reminder: ReminderAction };

/** The task events the actor applies. */
export type TaskEvent = Extract<
  AnyTodoEvent,
  {
    type:
      | 'todo.task.created.v1'
      | 'todo.task.updated.v1'
      | 'todo.task.completed.v1'
      | 'todo.task.deleted.v1'
      | 'todo.task.announced.v1';
  }
>;

export const TASK_EVENT_TYPES = [
  'todo.task.created.v1',
  'todo.task.updated.v1',
  'todo.task.completed.v1',
  'todo.task.deleted.v1',
  'todo.task.announced.v1',
] as const satisfies readonly TaskEvent['type'][];

function fromTask(task: Task): Omit<ReminderState, 'next' | 'next_index' | 'attempts'> {
  return {
    task_id: task.id,
    user_id: task.user_id,
    title: task.title,
    due_at: task.due_at,
    remind_at: task.remind_at,
    recurrence: task.recurrence,
    timezone: task.timezone,
    status: task.status,
    version: task.version,
  };
}

/** A base for an event about a task this actor never saw in full (its created event was lost). */
function unknownTask(event: TaskEvent): ReminderState {
  return {
    task_id: event.subject,
    user_id: event.userid,
    title: '',
    due_at: null,
    remind_at: null,
    recurrence: 'none',
    timezone: 'UTC',
    status: 'open',
    version: 0,
    next: null,
    next_index: 1,
    attempts: 0,
  };
}

function withChanges(state: ReminderState, changes: TaskChanges): ReminderState {
  const out = { ...state };
  if (changes.title !== undefined) out.title = changes.title;
  if (changes.due_at !== undefined) out.due_at = changes.due_at;
  if (changes.remind_at !== undefined) out.remind_at = changes.remind_at;
  if (changes.recurrence !== undefined) out.recurrence = changes.recurrence;
  if (changes.timezone !== undefined) out.timezone = changes.timezone;
  if (changes.status !== undefined) out.status = changes.status;
  return out;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * Applies one task event to an actor's state; pure. Events older than the applied version are
 * stale; the applied version again is a repeat, except `todo.task.announced.v1` (the reminder
 * sweep), which registers the reminder again so a lost one comes back. An event whose user is
 * not the task's is ignored.
 *
 * @example
 * const d = decide(undefined, createdEvent, new Date());
 * // { kind: 'apply', state: { ...next: task.remind_at }, reminder: 'register' }
 */
export function decide(prev: ReminderState | undefined, event: TaskEvent, now: Date): Decision {
  if (prev && event.userid !== prev.user_id) return { kind: 'ignore', reason: 'user-mismatch' };
  const fullTask = event.type === 'todo.task.created.v1' || event.type === 'todo.task.announced.v1';
  if (fullTask && event.data.user_id !== event.userid) return { kind: 'ignore', reason: 'user-mismatch' };
  const version = event.data.version;
  if (prev && version < prev.version) return { kind: 'ignore', reason: 'stale' };
  if (prev && version === prev.version && event.type !== 'todo.task.announced.v1') {
    return { kind: 'ignore', reason: 'repeat' };
  }
  const base = prev ?? unknownTask(event);
  let next: ReminderState;
  switch (event.type) {
    case 'todo.task.created.v1':
    case 'todo.task.announced.v1':
      next = { ...base, ...fromTask(event.data) };
      break;
    case 'todo.task.updated.v1':
      next = { ...withChanges(base, event.data.changes), version };
      break;
    case 'todo.task.completed.v1':
      next = { ...base, status: 'completed', version };
      break;
    case 'todo.task.deleted.v1':
      next = { ...base, status: 'deleted', version };
      break;
  }
  if (next.status !== 'open' || next.remind_at === null) {
    // Completion and deletion always delete (idempotent), so a reminder whose state write was
    // lost cannot outlive them; otherwise only when one is registered.
    const mustDelete =
      event.type === 'todo.task.completed.v1' || event.type === 'todo.task.deleted.v1' || prev?.next != null;
    next = { ...next, next: null, next_index: 1, attempts: 0 };
    return { kind: 'apply', state: next, reminder: mustDelete ? 'delete' : 'keep' };
  }
  const sameSeries =
    prev !== undefined &&
    prev.status === 'open' &&
    prev.remind_at === next.remind_at &&
    prev.recurrence === next.recurrence &&
    prev.timezone === next.timezone;

  if (event.type === 'todo.task.announced.v1') {
    const expected = event.data.next_occurrence;
    if (sameSeries && prev.version === version) {
      // Up to date: its own next occurrence stands (or none: fired, or the series is over),
      // unless chat-api has seen a later one fire.
      if (prev.next === null) return { kind: 'apply', state: next, reminder: 'keep' };
      const at = later(prev.next, expected.at);
      const index = at === prev.next ? prev.next_index : expected.index;
      return { kind: 'apply', state: { ...next, next: at, next_index: index }, reminder: 'register' };
    }
    // Behind, or never saw the task: start where chat-api expects the series to be.
    next = { ...next, next: expected.at, next_index: expected.index, attempts: 0 };
    return { kind: 'apply', state: next, reminder: 'register' };
  }
  if (sameSeries) return { kind: 'apply', state: next, reminder: 'keep' };
  // A new, moved, re-timed or reopened reminder: its series starts again.
  const start = seriesStart(next, now);
  next = { ...next, next: start?.at ?? null, next_index: start?.index ?? 1, attempts: 0 };
  if (!start) return { kind: 'apply', state: next, reminder: prev?.next != null ? 'delete' : 'keep' };
  return { kind: 'apply', state: next, reminder: 'register' };
}

/** The delay before re-trying a ReminderDue whose publish failed: 1 s, 2 s, 4 s … capped at 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 60_000);
}
