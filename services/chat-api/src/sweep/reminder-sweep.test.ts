/**
 * The reminder bookkeeping on in-process PostgreSQL: what the sweep re-announces (overdue by
 * more than the grace, not fired, open, within the lookback), however many stale tasks exist;
 * what firing records; how a recurring series is expected on its next occurrence.
 */
import { buildEvent, type TodoEvent, uuidv7 } from '@todo/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_TOKEN, createTestApp, type TestApp } from '../testing/test-app.ts';
import { recordRemindersFired } from './reminder-progress.ts';
import { sweepReminders } from './reminder-sweep.ts';

const MIN = 60_000;
let clock = new Date('2026-12-01T09:00:00.000Z');
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(() => t.close());

async function create(user: string, body: Record<string, unknown>) {
  const res = await t.call(user, 'POST', '/v1/tasks', { title: 'a task', ...body });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; user_id: string; remind_at: string };
}
const at = (ms: number) => new Date(clock.getTime() + ms).toISOString();
/** The tasks each sweep call announced, and the occurrence it expected. */
async function sweep(options: { pageSize?: number } = {}) {
  const before = new Set((await t.outbox()).map((o) => o.event.id));
  const result = await sweepReminders({ db: t.db, now: () => clock, ...options });
  const announced = (await t.outbox())
    .filter((o) => !before.has(o.event.id) && o.event.type === 'todo.task.announced.v1')
    .map((o) => o.event as TodoEvent<'todo.task.announced.v1'>);
  return { result, announced, ids: announced.map((e) => e.subject) };
}
function firedEvent(task: { id: string; user_id: string }, occurrence: string) {
  return buildEvent({
    type: 'todo.reminder.due.v1',
    source: 'task-reminder',
    subject: task.id,
    userid: task.user_id,
    correlationid: 'test',
    data: {
      task_id: task.id,
      user_id: task.user_id,
      title: 'a task',
      due_at: null,
      remind_at: occurrence,
      occurrence,
      fired_at: clock.toISOString(),
    },
  }).event;
}
async function fired(task: { id: string; user_id: string }, occurrence: string) {
  const [moved] = await recordRemindersFired(t.db, [firedEvent(task, occurrence)], clock);
  return moved;
}

describe('the reminder sweep', () => {
  it('re-announces an open reminder overdue past the grace that never fired, and nothing else', async () => {
    const lost = await create('s1', { remind_at: at(-10 * MIN) });
    const firedOk = await create('s1', { remind_at: at(-10 * MIN) });
    const late = await create('s1', { remind_at: at(-1 * MIN) }); // within the grace: merely late
    const upcoming = await create('s1', { remind_at: at(10 * MIN) });
    const done = await create('s1', { remind_at: at(-10 * MIN) });
    const ancient = await create('s1', { remind_at: at(-3 * 86_400_000) }); // past the lookback
    await t.call('s1', 'POST', `/v1/tasks/${done.id}/complete`);
    expect(await fired(firedOk, firedOk.remind_at)).toBe(true);

    const { ids, announced, result } = await sweep();
    expect(ids).toEqual([lost.id]);
    expect(result).toMatchObject({ announced: 1, skipped: false });
    expect(announced[0]?.data).toMatchObject({
      id: lost.id,
      next_occurrence: { at: lost.remind_at, index: 1 },
    });
    for (const other of [firedOk, late, upcoming, done, ancient]) expect(ids).not.toContain(other.id);
  });

  it('finds an overdue reminder behind 1,000 stale open tasks, and pages through more than a page', async () => {
    // 1,000 open tasks whose one-shot reminders are long past (users rarely complete tasks)...
    const stale = Array.from({ length: 1_000 }, () => ({
      id: uuidv7(),
      user_id: 'stale-user',
      title: 'stale',
      status: 'open' as const,
      priority: 'low' as const,
      tags: [],
      timezone: 'UTC',
      recurrence: 'none',
      version: 1,
      remind_at: new Date(clock.getTime() - 10 * 86_400_000),
      next_remind_at: new Date(clock.getTime() - 10 * 86_400_000),
      next_remind_index: 1,
      created_at: clock,
      updated_at: clock,
    }));
    await t.db.insertInto('tasks').values(stale).execute();
    // ...then 1,100 lost reminders, 4 minutes overdue.
    const lost: string[] = [];
    for (let i = 0; i < 1_100; i++)
      lost.push((await create(`lost-${i % 7}`, { remind_at: at(-4 * MIN) })).id);
    const { announced } = await sweep({ pageSize: 250 });
    const ids = announced.filter((e) => e.userid.startsWith('lost-')).map((e) => e.subject);
    expect(new Set(ids)).toEqual(new Set(lost));
    expect(ids).toHaveLength(1_100);
    expect(announced.filter((e) => e.userid === 'stale-user')).toEqual([]);
  });

  it('expects a recurring series on its next occurrence, not its first', async () => {
    const start = at(-3 * 86_400_000); // a daily reminder that began 3 days ago
    const daily = await create('s3', { remind_at: start, recurrence: 'daily' });
    // Created with a start in the past: expected at the first occurrence from now on.
    expect((await sweep()).ids).not.toContain(daily.id);
    clock = new Date(clock.getTime() + 10 * MIN); // today's 09:00 went by 10 minutes ago, unseen
    const { announced } = await sweep();
    const mine = announced.find((e) => e.subject === daily.id);
    expect(mine?.data.next_occurrence).toEqual({ at: '2026-12-01T09:00:00.000Z', index: 4 });
    // Once it fired, tomorrow's is expected: nothing to repair today.
    expect(await fired(daily, '2026-12-01T09:00:00.000Z')).toBe(true);
    expect((await sweep()).ids).not.toContain(daily.id);
    clock = new Date('2026-12-02T09:05:00.000Z');
    expect((await sweep()).announced.find((e) => e.subject === daily.id)?.data.next_occurrence).toEqual({
      at: '2026-12-02T09:00:00.000Z',
      index: 5,
    });
  });

  it('records a firing once, and not one out of order', async () => {
    clock = new Date('2026-12-03T09:00:00.000Z');
    const task = await create('s4', { remind_at: at(-5 * MIN) });
    expect(await fired(task, task.remind_at)).toBe(true);
    expect(await fired(task, task.remind_at)).toBe(false);
    const weekly = await create('s4', { remind_at: at(5 * MIN), recurrence: 'weekly' });
    expect(await fired(weekly, at(5 * MIN - 7 * 86_400_000))).toBe(false); // before the series began
    expect(await fired(weekly, weekly.remind_at)).toBe(true);
    expect(await fired(weekly, weekly.remind_at)).toBe(false); // the same firing again
  });

  it('records a batch of firings in one call as it records them one at a time', async () => {
    clock = new Date('2026-12-04T09:00:00.000Z');
    const once = await create('s6', { remind_at: at(-5 * MIN) });
    const daily = await create('s6', { remind_at: at(5 * MIN), recurrence: 'daily' });
    const other = await create('s6-other', { remind_at: at(-5 * MIN) });
    const gone = await create('s6', { remind_at: at(-5 * MIN) });
    expect((await t.call('s6', 'DELETE', `/v1/tasks/${gone.id}`)).status).toBe(204);
    const moved = await recordRemindersFired(
      t.db,
      [
        firedEvent(once, once.remind_at),
        firedEvent(daily, daily.remind_at),
        firedEvent(once, once.remind_at), // the same firing again, in the same batch
        firedEvent({ id: other.id, user_id: 's6' }, other.remind_at), // another user's task
        firedEvent(gone, gone.remind_at), // a deleted task
      ],
      clock,
    );
    expect(moved).toEqual([true, true, false, false, false]);
    const expected = async (id: string) =>
      t.db
        .selectFrom('tasks')
        .select(['next_remind_at', 'next_remind_index'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect(await expected(once.id)).toEqual({ next_remind_at: null, next_remind_index: null });
    expect(await expected(daily.id)).toEqual({
      next_remind_at: new Date('2026-12-05T09:05:00.000Z'),
      next_remind_index: 2,
    });
    // The control: the other user's task still expects its reminder.
    expect((await expected(other.id)).next_remind_at).toEqual(new Date(other.remind_at));
  });

  it('does not announce a task again within the re-announce interval, and caps a sweep', async () => {
    clock = new Date('2026-12-04T09:00:00.000Z');
    const lost: string[] = [];
    for (let i = 0; i < 5; i++) lost.push((await create('s5', { remind_at: at(-10 * MIN) })).id);
    const first = await sweepReminders({ db: t.db, now: () => clock, maxPerSweep: 3, pageSize: 2 });
    expect(first.announced).toBeGreaterThanOrEqual(3);
    expect(first.announced).toBeLessThan(5);
    const second = await sweep();
    // The rest, not the ones announced a moment ago.
    expect(second.ids.filter((id) => lost.includes(id))).toHaveLength(5 - first.announced);
    expect((await sweep()).ids.filter((id) => lost.includes(id))).toEqual([]);
    clock = new Date(clock.getTime() + 6 * MIN);
    expect((await sweep()).ids.filter((id) => lost.includes(id)).sort()).toEqual([...lost].sort());
  });

  it('is called by the cron binding with the app token only', async () => {
    expect((await t.request('/reminder-sweep', { method: 'POST' })).status).toBe(401);
    const res = await t.request('/reminder-sweep', {
      method: 'POST',
      headers: { 'dapr-api-token': APP_TOKEN },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ skipped: false });
  });

  it('takes a bulk delivery of reminders larger than a user request may be (64 KiB)', async () => {
    // daprd retries a 413 forever: the subscription would stall for every user behind it.
    const entries = Array.from({ length: 3 }, (_, i) => ({
      entryId: String(i + 1),
      event: { specversion: '1.0', id: `big-${i}`, type: 'todo.nothing.v9', pad: 'x'.repeat(100_000) },
    }));
    const body = JSON.stringify({ entries });
    const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
    expect((await t.request('/events/reminders', { method: 'POST', headers, body })).status).toBe(401);
    const res = await t.request('/events/reminders', {
      method: 'POST',
      headers: { ...headers, 'dapr-api-token': APP_TOKEN },
      body,
    });
    expect(res.status).toBe(200);
    const { statuses } = (await res.json()) as { statuses: { status: string }[] };
    // Read and judged (dropped; this test app's dead-letter publisher refuses, so each is a RETRY).
    expect(statuses.map((x) => x.status)).toEqual(['RETRY', 'RETRY', 'RETRY']);
  });
});
