/**
 * A write is one transaction: when its second statement fails (here the outbox insert, made to
 * fail by a trigger on PostgreSQL's side), the first is undone too — no task change without its
 * events, no events without the change. A positive control runs the same writes with the trigger
 * off and sees them land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxRefusal } from '../testing/pglite-db.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

let t: TestApp;
let refuse: (on: boolean) => Promise<void>;
beforeAll(async () => {
  t = await createTestApp();
  refuse = await outboxRefusal(t.db);
});
afterAll(() => t.close());

const row = (id: string) => t.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
const outboxOf = async (id: string) => (await t.outbox()).filter((o) => o.key === id);

describe('a write whose outbox insert fails leaves nothing half done', () => {
  it('create, update, complete and delete: the task is as before, and no event was queued', async () => {
    await refuse(false);
    const created = await t.call('atom', 'POST', '/v1/tasks', { title: 'control' });
    expect(created.status).toBe(201);
    const task = await created.json();
    const queuedBefore = (await outboxOf(task.id)).length;
    expect(queuedBefore).toBe(2);

    await refuse(true);
    const refusedCreate = await t.call('atom', 'POST', '/v1/tasks', { title: 'never stored' });
    expect(refusedCreate.status).toBe(500);
    expect(await t.db.selectFrom('tasks').select('id').where('title', '=', 'never stored').execute()).toEqual(
      [],
    );

    for (const [method, path, body] of [
      ['PATCH', `/v1/tasks/${task.id}`, { title: 'renamed' }],
      ['POST', `/v1/tasks/${task.id}/complete`, undefined],
      ['POST', `/v1/tasks/${task.id}/snooze`, { minutes: 5 }],
      ['DELETE', `/v1/tasks/${task.id}`, undefined],
    ] as const) {
      const res = await t.call('atom', method, path, body);
      expect(res.status, `${method} ${path}`).toBe(500);
      expect(await row(task.id), `${method} ${path}`).toMatchObject({
        title: 'control',
        version: 1,
        status: 'open',
      });
    }
    expect(await outboxOf(task.id)).toHaveLength(queuedBefore);

    // The positive control: the same write with the trigger off lands, with its events.
    await refuse(false);
    expect((await t.call('atom', 'PATCH', `/v1/tasks/${task.id}`, { title: 'renamed' })).status).toBe(200);
    expect(await row(task.id)).toMatchObject({ title: 'renamed', version: 2 });
    expect(await outboxOf(task.id)).toHaveLength(queuedBefore + 2);
  });
});
