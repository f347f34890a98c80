import { buildEvent, type EventDataInput, type EventType, uuidv7 } from '@todo/events';
import { describe, expect, it } from 'vitest';
import { decide, type ReminderState, retryDelayMs, type TaskEvent } from './reminder-state.ts';

const ID = uuidv7();
const USER = 'u1';
const AT = '2026-03-01T09:00:00.000Z';
const LATER = '2026-03-01T09:30:00.000Z';
const NOW = new Date('2026-03-01T08:00:00.000Z');
const announced = (over: Record<string, unknown> = {}, next = { at: AT, index: 1 }) =>
  ev('todo.task.announced.v1', { ...task(over), next_occurrence: next });

function ev<T extends EventType>(type: T, data: EventDataInput<T>, userid = USER): TaskEvent {
  return buildEvent({ type, source: 'chat-api', subject: ID, userid, correlationid: 'c', data })
    .event as TaskEvent;
}
const task = (over: Record<string, unknown> = {}) => ({
  id: ID,
  user_id: USER,
  title: 't',
  description: null,
  status: 'open' as const,
  priority: 'medium' as const,
  tags: [],
  due_at: null,
  remind_at: AT,
  recurrence: 'none',
  timezone: 'UTC',
  version: 1,
  created_at: AT,
  updated_at: AT,
  completed_at: null,
  ...over,
});
const created = (over: Record<string, unknown> = {}) => ev('todo.task.created.v1', task(over));
const updated = (
  version: number,
  changes: EventDataInput<'todo.task.updated.v1'>['changes'],
  userid = USER,
) => ev('todo.task.updated.v1', { id: ID, version, changes }, userid);
const state = (over: Partial<ReminderState> = {}): ReminderState => ({
  task_id: ID,
  user_id: USER,
  title: 't',
  due_at: null,
  remind_at: AT,
  recurrence: 'none',
  timezone: 'UTC',
  status: 'open',
  version: 1,
  next: AT,
  next_index: 1,
  attempts: 0,
  ...over,
});

type Row = [
  name: string,
  prev: ReminderState | undefined,
  event: TaskEvent,
  expected:
    | { kind: 'ignore'; reason: string }
    | { reminder: string; next: string | null; version: number; status?: string },
];

const table: Row[] = [
  [
    'created with remind_at: register at remind_at',
    undefined,
    created(),
    { reminder: 'register', next: AT, version: 1 },
  ],
  [
    'created without remind_at: nothing to register',
    undefined,
    created({ remind_at: null }),
    { reminder: 'keep', next: null, version: 1 },
  ],
  ['the applied version again: a repeat', state(), created(), { kind: 'ignore', reason: 'repeat' }],
  [
    'an older version: stale',
    state({ version: 3 }),
    updated(2, { remind_at: LATER }),
    { kind: 'ignore', reason: 'stale' },
  ],
  [
    'remind_at moved: register at the new time',
    state(),
    updated(2, { remind_at: LATER }),
    { reminder: 'register', next: LATER, version: 2 },
  ],
  [
    'a title change: the reminder stays',
    state(),
    updated(2, { title: 'x' }),
    { reminder: 'keep', next: AT, version: 2 },
  ],
  [
    'remind_at cleared: delete',
    state(),
    updated(2, { remind_at: null }),
    { reminder: 'delete', next: null, version: 2 },
  ],
  [
    'completed: delete',
    state(),
    ev('todo.task.completed.v1', { id: ID, version: 2, completed_at: AT }),
    { reminder: 'delete', next: null, version: 2, status: 'completed' },
  ],
  [
    'deleted: delete, and a tombstone stays',
    state(),
    ev('todo.task.deleted.v1', { id: ID, version: 2 }),
    { reminder: 'delete', next: null, version: 2, status: 'deleted' },
  ],
  [
    'after the tombstone, an older update is stale',
    state({ status: 'deleted', version: 2, next: null }),
    updated(1, { remind_at: LATER }),
    { kind: 'ignore', reason: 'stale' },
  ],
  [
    'after the tombstone, its created event again is stale',
    state({ status: 'deleted', version: 2, next: null }),
    created(),
    { kind: 'ignore', reason: 'stale' },
  ],
  [
    'announced at the applied version: register again (the sweep)',
    state(),
    announced(),
    { reminder: 'register', next: AT, version: 1 },
  ],
  [
    'announced for a completed task at its version: stays deleted',
    state({ status: 'completed', version: 2, next: null }),
    announced({ version: 2, status: 'completed', completed_at: AT }),
    { reminder: 'keep', next: null, version: 2, status: 'completed' },
  ],
  [
    'reopened: the series starts again at remind_at',
    state({ status: 'completed', version: 2, next: null }),
    updated(3, { status: 'open' }),
    { reminder: 'register', next: AT, version: 3, status: 'open' },
  ],
  [
    'an event from another user: ignored',
    state(),
    updated(2, { remind_at: null }, 'intruder'),
    { kind: 'ignore', reason: 'user-mismatch' },
  ],
  [
    'a created event whose task belongs to someone else: ignored',
    undefined,
    created({ user_id: 'someone-else' }),
    { kind: 'ignore', reason: 'user-mismatch' },
  ],
  [
    'announced after the one-shot fired (same version): nothing to register',
    state({ next: null }),
    announced(),
    { reminder: 'keep', next: null, version: 1 },
  ],
  [
    'announced while this actor expects an earlier occurrence: the later one chat-api saw wins',
    state({ recurrence: 'daily' }),
    announced({ recurrence: 'daily' }, { at: '2026-03-03T09:00:00.000Z', index: 3 }),
    { reminder: 'register', next: '2026-03-03T09:00:00.000Z', version: 1 },
  ],
  [
    'announced for a task this actor never saw: starts at the expected occurrence',
    undefined,
    announced({ recurrence: 'daily', version: 4 }, { at: '2026-03-05T09:00:00.000Z', index: 5 }),
    { reminder: 'register', next: '2026-03-05T09:00:00.000Z', version: 4 },
  ],
  [
    'a daily task created with a start years ago: starts at its next occurrence, not the first',
    undefined,
    created({ recurrence: 'daily', remind_at: '2020-01-01T09:00:00.000Z' }),
    { reminder: 'register', next: AT, version: 1 },
  ],
  [
    'a recurrence change restarts the series (at its start, which RFC 5545 counts as occurrence 1)',
    state(),
    updated(2, { recurrence: 'RRULE:FREQ=WEEKLY;BYDAY=MO' }),
    { reminder: 'register', next: AT, version: 2 },
  ],
  [
    'an update for a task never seen (its created event lost): applied from scratch',
    undefined,
    updated(4, { remind_at: LATER }),
    { reminder: 'register', next: LATER, version: 4 },
  ],
];

describe('decide: what one task event does to a TaskReminder', () => {
  it.each(table)('%s', (_, prev, event, expected) => {
    const d = decide(prev, event, NOW);
    if ('kind' in expected) {
      expect(d).toEqual(expected);
      return;
    }
    expect(d.kind).toBe('apply');
    if (d.kind !== 'apply') return;
    expect({ reminder: d.reminder, next: d.state.next, version: d.state.version }).toEqual({
      reminder: expected.reminder,
      next: expected.next,
      version: expected.version,
    });
    if (expected.status) expect(d.state.status).toBe(expected.status);
  });

  it('backs a failed publish off 1 s, 2 s, 4 s … up to a minute', () => {
    expect([1, 2, 3, 7, 20].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
  });
});
