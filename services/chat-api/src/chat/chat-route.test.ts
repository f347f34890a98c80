import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

let t: TestApp;
const clock = new Date('2026-11-29T10:00:00.000Z'); // a Sunday
beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

async function chat(user: string, message: string, timezone = 'Europe/Paris') {
  const res = await t.call(user, 'POST', '/v1/chat', { message, timezone });
  expect(res.status).toBe(200);
  return res.json();
}

describe('POST /v1/chat', () => {
  it('adds a task with its due date and reminder, through the same function and events as REST', async () => {
    const r = await chat('chatty', 'add pay rent friday 9am, remind me 1 hour before');
    expect(r.actions).toEqual([{ type: 'created', task_id: r.tasks[0].id }]);
    expect(r.tasks[0]).toMatchObject({
      title: 'pay rent',
      due_at: '2026-12-04T08:00:00.000Z',
      remind_at: '2026-12-04T07:00:00.000Z',
      timezone: 'Europe/Paris',
    });
    expect(r.reply).toContain('pay rent');
    const out = (await t.outbox()).filter((o) => o.key === r.tasks[0].id);
    expect(out.map((o) => o.event.type)).toEqual(['todo.task.created.v1', 'todo.task.changed.v1']);
    expect(out[0]?.event.data).toEqual(r.tasks[0]);
  });

  it('lists open tasks numbered in due order, and completes one by its number', async () => {
    const user = 'numbered';
    await chat(user, 'add later thing dec 20 9am');
    await chat(user, 'add soon thing tomorrow 9am');
    await chat(user, 'add undated thing');
    const list = await chat(user, 'list');
    expect(list.reply).toMatch(/1\. soon thing[\s\S]*2\. later thing[\s\S]*3\. undated thing/);
    const done = await chat(user, 'done 2');
    expect(done.actions[0].type).toBe('completed');
    expect(done.tasks[0]).toMatchObject({ title: 'later thing', status: 'completed' });
    expect((await chat(user, 'complete 9')).actions[0].type).toBe('clarify');
  });

  it('asks back with the candidates when a reference matches several tasks', async () => {
    const user = 'ambiguous';
    await chat(user, 'add call mom');
    await chat(user, 'add call dad');
    const r = await chat(user, 'complete call');
    expect(r.actions).toEqual([{ type: 'clarify' }]);
    expect(r.tasks.map((x: { title: string }) => x.title).sort()).toEqual(['call dad', 'call mom']);
    expect(r.reply).toMatch(/Which one/);
    const exact = await chat(user, 'complete call mom');
    expect(exact.tasks[0]).toMatchObject({ title: 'call mom', status: 'completed' });
  });

  it('snoozes, renames and reschedules (keeping the reminder lead time)', async () => {
    const user = 'mover';
    await chat(user, 'add dentist tuesday 3pm, remind me 2 hours before');
    const snoozed = await chat(user, 'snooze dentist 15 minutes');
    expect(snoozed.tasks[0].remind_at).toBe('2026-11-29T10:15:00.000Z');
    const renamed = await chat(user, 'rename dentist to dentist appointment');
    expect(renamed.tasks[0].title).toBe('dentist appointment');
    await t.call(user, 'PATCH', `/v1/tasks/${renamed.tasks[0].id}`, { remind_at: '2026-12-01T12:00:00Z' });
    const moved = await chat(user, 'reschedule dentist to wednesday 4pm');
    expect(moved.tasks[0]).toMatchObject({
      due_at: '2026-12-02T15:00:00.000Z',
      remind_at: '2026-12-02T13:00:00.000Z',
    });
  });

  it('deletes by title and creates recurring tasks', async () => {
    const user = 'recurring';
    const r = await chat(user, 'every monday at 9 remind me to water the plants');
    expect(r.tasks[0]).toMatchObject({
      recurrence: 'RRULE:FREQ=WEEKLY;BYDAY=MO',
      remind_at: '2026-11-30T08:00:00.000Z',
    });
    const del = await chat(user, 'delete water');
    expect(del.actions).toEqual([{ type: 'deleted', task_id: r.tasks[0].id }]);
  });

  it('only ever sees the user own tasks', async () => {
    await chat('owner-a', 'add secret plan');
    const r = await chat('owner-b', 'complete secret plan');
    expect(r.actions[0].type).toBe('clarify');
    expect(r.tasks).toEqual([]);
  });

  it('answers gibberish with help, and bad input with a 422 problem', async () => {
    expect((await chat('chatty', 'blorp')).actions).toEqual([{ type: 'help' }]);
    const empty = await t.call('chatty', 'POST', '/v1/chat', { message: '' });
    expect(empty.status).toBe(422);
    const zone = await t.call('chatty', 'POST', '/v1/chat', { message: 'list', timezone: 'Nowhere/Land' });
    expect((await zone.json()).errors[0].path).toBe('body.timezone');
  });
});
