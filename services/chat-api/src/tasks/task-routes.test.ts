import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingRelay, createTestApp, METRICS_TOKEN, type TestApp } from '../testing/test-app.ts';

let t: TestApp;
let clock = new Date('2026-11-29T10:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

async function create(user: string, body: Record<string, unknown> = {}) {
  const res = await t.call(user, 'POST', '/v1/tasks', { title: 'Pay rent', ...body });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; version: number };
}
const eventsOf = async (id: string) => (await t.outbox()).filter((o) => o.key === id);

describe('POST /v1/tasks', () => {
  it('creates the task and, in the same transaction, its created and change events keyed by the task id', async () => {
    const res = await t.call('alice', 'POST', '/v1/tasks', {
      title: '  Pay rent ',
      due_at: '2026-12-04T09:00:00+01:00',
      remind_at: '2026-12-04T08:00:00Z',
      tags: ['Home', 'home', 'bills'],
      timezone: 'Europe/Paris',
      priority: 'high',
    });
    expect(res.status).toBe(201);
    const task = await res.json();
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe(`/v1/tasks/${task.id}`);
    expect(task).toMatchObject({
      user_id: 'alice',
      title: 'Pay rent',
      status: 'open',
      priority: 'high',
      tags: ['home', 'bills'],
      due_at: '2026-12-04T08:00:00.000Z',
      remind_at: '2026-12-04T08:00:00.000Z',
      timezone: 'Europe/Paris',
      recurrence: 'none',
      version: 1,
      created_at: clock.toISOString(),
      completed_at: null,
    });
    const out = await eventsOf(task.id);
    expect(out.map((o) => [o.topic, o.event.type])).toEqual([
      ['task-events', 'todo.task.created.v1'],
      ['task-updates', 'todo.task.changed.v1'],
    ]);
    expect(out[0]?.event).toMatchObject({
      source: 'chat-api',
      subject: task.id,
      userid: 'alice',
      data: task,
    });
  });

  it.each([
    ['an empty title', { title: '' }, 'body.title'],
    ['a title of 501 characters', { title: 'x'.repeat(501) }, 'body.title'],
    ['an unknown field', { title: 'a', owner: 'bob' }, 'body.owner'],
    ['a mistyped field', { title: 'a', tags: 'home' }, 'body.tags'],
    ['a bad tag', { title: 'a', tags: ['ok', 'not ok!'] }, 'body.tags[1]'],
    ['an impossible date', { title: 'a', due_at: '2026-02-30T10:00:00Z' }, 'body.due_at'],
    ['a date without offset', { title: 'a', due_at: '2026-12-01T10:00:00' }, 'body.due_at'],
    ['an unknown time zone', { title: 'a', timezone: 'Mars/Olympus' }, 'body.timezone'],
    ['an unknown priority', { title: 'a', priority: 'urgent' }, 'body.priority'],
    [
      'a bad recurrence',
      { title: 'a', recurrence: 'RRULE:FREQ=YEARLY', remind_at: '2026-12-01T10:00:00Z' },
      'body.recurrence',
    ],
    ['a recurrence without remind_at', { title: 'a', recurrence: 'daily' }, 'body.remind_at'],
  ])('answers 422 with the field path to %s, and writes nothing', async (_, body, path) => {
    const before = (await t.outbox()).length;
    const res = await t.call('alice', 'POST', '/v1/tasks', body);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await t.outbox()).length).toBe(before);
  });

  it('answers 400 to malformed JSON, 415 to another content type, 413 to a huge body', async () => {
    expect((await t.call('alice', 'POST', '/v1/tasks', '{"title":')).status).toBe(400);
    const wrongType = await t.call('alice', 'POST', '/v1/tasks', undefined, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect((await wrongType.json()).code).toBe('unsupported_media_type');
    const huge = await t.call('alice', 'POST', '/v1/tasks', { title: 'a', description: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
  });

  it('answers 401 without a valid token', async () => {
    const res = await t.request('/v1/tasks', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
  });
});

describe('GET /v1/tasks', () => {
  it('lists only the user own tasks, newest first, with filters and a cursor', async () => {
    const user = `lister-${Date.now()}`;
    const made = [];
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 1000);
      made.push(
        await create(user, {
          title: `task ${i}`,
          tags: i % 2 ? ['odd'] : ['even'],
          due_at: `2026-12-0${i + 1}T09:00:00Z`,
        }),
      );
    }
    await create('someone-else', { title: 'task 9' });

    const page1 = await (await t.call(user, 'GET', '/v1/tasks?limit=2')).json();
    expect(page1.items.map((x: { title: string }) => x.title)).toEqual(['task 4', 'task 3']);
    const page2 = await (await t.call(user, 'GET', `/v1/tasks?limit=2&cursor=${page1.next_cursor}`)).json();
    expect(page2.items.map((x: { title: string }) => x.title)).toEqual(['task 2', 'task 1']);
    const page3 = await (await t.call(user, 'GET', `/v1/tasks?limit=2&cursor=${page2.next_cursor}`)).json();
    expect(page3.items.map((x: { title: string }) => x.title)).toEqual(['task 0']);
    expect(page3.next_cursor).toBeNull();

    const odd = await (await t.call(user, 'GET', '/v1/tasks?tag=odd')).json();
    expect(odd.items.map((x: { title: string }) => x.title)).toEqual(['task 3', 'task 1']);
    const due = await (
      await t.call(user, 'GET', '/v1/tasks?due_after=2026-12-02T00:00:00Z&due_before=2026-12-04T00:00:00Z')
    ).json();
    expect(due.items.map((x: { title: string }) => x.title)).toEqual(['task 2', 'task 1']);
    const text = await (await t.call(user, 'GET', '/v1/tasks?q=SK%203')).json();
    expect(text.items.map((x: { title: string }) => x.title)).toEqual(['task 3']);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['status=lost', 'query.status'],
    ['due_before=yesterday', 'query.due_before'],
    ['colour=red', 'query.colour'],
    ['cursor=bm9wZQ', 'query.cursor'],
  ])('answers 400 to %s', async (query, path) => {
    const res = await t.call('alice', 'GET', `/v1/tasks?${query}`);
    expect(res.status).toBe(400);
    expect((await res.json()).errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe('one task', () => {
  it('is 404 for another user, exactly like a missing one, on every verb', async () => {
    const task = await create('owner');
    const missing = '01935d1e-0000-7000-8000-000000000000';
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { title: 'mine now' }],
      ['DELETE', '', undefined],
      ['POST', '/complete', undefined],
      ['POST', '/snooze', { minutes: 5 }],
    ] as const) {
      const other = await t.call('intruder', method, `/v1/tasks/${task.id}${suffix}`, body);
      const absent = await t.call('intruder', method, `/v1/tasks/${missing}${suffix}`, body);
      expect(other.status, `${method} ${suffix}`).toBe(404);
      expect(absent.status).toBe(404);
      const [a, b] = [await other.json(), await absent.json()];
      expect(a.code).toBe(b.code);
    }
    expect((await eventsOf(task.id)).length).toBe(2);
  });

  it('answers 400 to an id that is not a UUID', async () => {
    const res = await t.call('alice', 'GET', '/v1/tasks/42');
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe('path.id');
  });

  it('PATCH publishes only the changed fields and the new version; a no-op writes nothing', async () => {
    const task = await create('patcher', { priority: 'low' });
    const res = await t.call('patcher', 'PATCH', `/v1/tasks/${task.id}`, {
      title: 'Pay the rent',
      priority: 'low',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    const out = await eventsOf(task.id);
    expect(out[2]?.event).toMatchObject({
      type: 'todo.task.updated.v1',
      data: { id: task.id, version: 2, changes: { title: 'Pay the rent' } },
    });
    expect(out[3]?.event.data).toMatchObject({ op: 'updated', fields: ['title'] });

    const same = await t.call('patcher', 'PATCH', `/v1/tasks/${task.id}`, { title: 'Pay the rent' });
    expect((await same.json()).version).toBe(2);
    expect((await eventsOf(task.id)).length).toBe(4);
  });

  it('PATCH with a stale If-Match is a 412 that changes nothing', async () => {
    const task = await create('patcher');
    const patchIf = (ifMatch: string, body: Record<string, unknown>) =>
      t.call('patcher', 'PATCH', `/v1/tasks/${task.id}`, body, { 'if-match': ifMatch });
    await t.call('patcher', 'PATCH', `/v1/tasks/${task.id}`, { title: 'v2' });
    const res = await patchIf('"1"', { title: 'v3?' });
    expect(res.status).toBe(412);
    expect(await res.json()).toMatchObject({ code: 'version_conflict', current_version: 2 });
    const ok = await patchIf('"2"', { title: 'v3' });
    expect(ok.status).toBe(200);
    expect((await patchIf('abc', { title: 'x' })).status).toBe(400);
  });

  it('PATCH with nothing to change is a 422', async () => {
    const task = await create('patcher');
    const res = await t.call('patcher', 'PATCH', `/v1/tasks/${task.id}`, {});
    expect(res.status).toBe(422);
  });

  it('complete emits todo.task.completed.v1 once; completing again changes nothing', async () => {
    const task = await create('finisher');
    const res = await t.call('finisher', 'POST', `/v1/tasks/${task.id}/complete`);
    expect(await res.json()).toMatchObject({
      status: 'completed',
      version: 2,
      completed_at: clock.toISOString(),
    });
    await t.call('finisher', 'POST', `/v1/tasks/${task.id}/complete`);
    const types = (await eventsOf(task.id)).filter((o) => o.topic === 'task-events').map((o) => o.event.type);
    expect(types).toEqual(['todo.task.created.v1', 'todo.task.completed.v1']);
  });

  it('snooze moves the reminder to now + minutes, or to until', async () => {
    const task = await create('sleeper', { remind_at: '2026-11-29T10:05:00Z' });
    const res = await t.call('sleeper', 'POST', `/v1/tasks/${task.id}/snooze`, { minutes: 10 });
    expect((await res.json()).remind_at).toBe(new Date(clock.getTime() + 600_000).toISOString());
    const until = await t.call('sleeper', 'POST', `/v1/tasks/${task.id}/snooze`, {
      until: '2026-11-30T08:00:00+01:00',
    });
    expect((await until.json()).remind_at).toBe('2026-11-30T07:00:00.000Z');
    const last = (await eventsOf(task.id)).filter((o) => o.topic === 'task-events').at(-1);
    expect(last?.event).toMatchObject({
      type: 'todo.task.updated.v1',
      data: { version: 3, changes: { remind_at: '2026-11-30T07:00:00.000Z' } },
    });
    expect(
      (await t.call('sleeper', 'POST', `/v1/tasks/${task.id}/snooze`, { until: '2020-01-01T00:00:00Z' }))
        .status,
    ).toBe(422);
    expect((await t.call('sleeper', 'POST', `/v1/tasks/${task.id}/snooze`, { minutes: 0 })).status).toBe(422);
    expect((await t.call('sleeper', 'POST', `/v1/tasks/${task.id}/snooze`, { hours: 1 })).status).toBe(422);
  });

  it('delete emits todo.task.deleted.v1 with the version the deletion makes, then the task is gone', async () => {
    const task = await create('deleter');
    await t.call('deleter', 'PATCH', `/v1/tasks/${task.id}`, { title: 'v2' });
    expect((await t.call('deleter', 'DELETE', `/v1/tasks/${task.id}`)).status).toBe(204);
    expect((await t.call('deleter', 'GET', `/v1/tasks/${task.id}`)).status).toBe(404);
    const last = (await eventsOf(task.id)).filter((o) => o.topic === 'task-events').at(-1);
    expect(last?.event).toMatchObject({ type: 'todo.task.deleted.v1', data: { id: task.id, version: 3 } });
  });
});

describe('the reminder sweep (cron binding)', () => {
  it('refuses a caller without the app token', async () => {
    const res = await t.request('/reminder-sweep', { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('service routes', () => {
  it('/healthz is always 200; /readyz is 503 naming what is down', async () => {
    expect((await t.request('/healthz')).status).toBe(200);
    expect((await t.request('/readyz')).status).toBe(200);
    const down = await createTestApp({ sidecarUp: false });
    const res = await down.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'dependency_unavailable',
      checks: { database: true, sidecar: 'not ready' },
    });
    await down.close();
  });

  it('serves an OpenAPI document generated from the schemas, and a docs page', async () => {
    const doc = await (await t.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/tasks', '/v1/tasks/{id}', '/v1/chat']),
    );
    expect(doc.components.schemas.CreateTask.properties.title).toMatchObject({
      type: 'string',
      maxLength: 500,
    });
    expect(await (await t.request('/docs')).text()).toContain('/v1/tasks/{id}/snooze');
  });

  it('declares what every operation can answer, and the server keeps to the methods it declares', async () => {
    const doc = await (await t.request('/openapi.json')).json();
    const declared: [string, string][] = [];
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, { responses?: object }>>,
    )) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') continue;
        declared.push([path, method.toUpperCase()]);
        if (path.startsWith('/v1/'))
          expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toEqual(
            expect.arrayContaining(['400', '401', '405', '413', '422', '429', '500', '503']),
          );
      }
    }
    // Every method the document does not declare on a path answers 405 with Allow.
    const id = '01a23440-f03f-7200-a491-7dba4b75105f';
    for (const path of ['/v1/tasks', `/v1/tasks/${id}`, `/v1/tasks/${id}/complete`, '/v1/chat']) {
      const template = path.replace(id, '{id}');
      const allowed = declared.filter(([p]) => p === template).map(([, m]) => m);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (allowed.includes(method)) continue;
        const res = await t.call('openapi', method, path);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(allowed));
      }
    }
  });

  it('serves /metrics to a scraper with METRICS_TOKEN only', async () => {
    const anonymous = await t.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await t.request('/metrics', {
      headers: { authorization: 'Bearer not-the-token-at-all-000' },
    });
    expect(wrong.status).toBe(401);
    const scraper = await t.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraper.status).toBe(200);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.request('/v2/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('the relay is woken by every write, once its transaction committed', () => {
  it('a create, an update and a delete wake it; a read and a refused write do not', async () => {
    const relay = countingRelay();
    const w = await createTestApp({ relay });
    try {
      const created = await w.call('wally', 'POST', '/v1/tasks', { title: 'wake' });
      expect(created.status).toBe(201);
      expect(relay.wakes).toBe(1);
      expect((await w.outbox()).length).toBe(2);
      const { id } = await created.json();
      expect((await w.call('wally', 'GET', `/v1/tasks/${id}`)).status).toBe(200);
      expect((await w.call('wally', 'POST', '/v1/tasks', { title: '' })).status).toBe(422);
      expect(relay.wakes).toBe(1);
      expect((await w.call('wally', 'PATCH', `/v1/tasks/${id}`, { title: 'again' })).status).toBe(200);
      expect(relay.wakes).toBe(2);
      expect((await w.call('wally', 'POST', `/v1/tasks/${id}/snooze`, { minutes: 5 })).status).toBe(200);
      expect((await w.call('wally', 'POST', `/v1/tasks/${id}/complete`)).status).toBe(200);
      expect((await w.call('wally', 'DELETE', `/v1/tasks/${id}`)).status).toBe(204);
      expect(relay.wakes).toBe(5);
    } finally {
      await w.close();
    }
  });
});
