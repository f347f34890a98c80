/**
 * Property tests: whatever a client throws at the API, the answer is a 4xx problem or a
 * success, never a 5xx, and a rejected request writes nothing.
 */
import { TaskChangesSchema } from '@todo/events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, token } from '../testing/test-app.ts';

let t: TestApp;
let taskId: string;
let auth: string;
beforeAll(async () => {
  t = await createTestApp();
  auth = `Bearer ${await token('fuzz')}`;
  const res = await t.call('fuzz', 'POST', '/v1/tasks', { title: 'target' });
  taskId = (await res.json()).id;
});
afterAll(async () => {
  await t.close();
});

const field = fc.constantFrom(
  ...Object.keys(TaskChangesSchema.entries),
  'minutes',
  'until',
  'message',
  '__proto__',
  'constructor',
  '',
);
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.constantFrom(
    '2026-02-30T10:00:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    'RRULE:FREQ=SECONDLY;INTERVAL=0',
    'RRULE:FREQ=DAILY;COUNT=99999999999',
    'Etc/GMT+99',
    '\u0000',
    'x'.repeat(600),
    -1,
    1e308,
    Number.NaN,
  ),
);
const body = fc.oneof(
  fc.dictionary(field, nasty, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '{', '[]', 'null', '{"title":"a"', '{"title":"a"}}'),
);
const route = fc.constantFrom(
  ['POST', '/v1/tasks'],
  ['PATCH', '/v1/tasks/TASK'],
  ['POST', '/v1/tasks/TASK/snooze'],
  ['POST', '/v1/chat'],
  ['PATCH', '/v1/tasks/not-a-uuid'],
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);

describe('bad requests', () => {
  it('never get a 5xx, always a problem+json for a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        body,
        contentType,
        fc.option(fc.string({ maxLength: 20 })),
        async ([method, path], text, type, ifMatch) => {
          const res = await t.app.request(path.replace('TASK', taskId), {
            method,
            body: text,
            headers: {
              authorization: auth,
              ...(type ? { 'content-type': type } : {}),
              ...(ifMatch === null ? {} : { 'if-match': ifMatch }),
            },
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never get a 5xx for any query string on the list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('status', 'due_before', 'due_after', 'tag', 'q', 'limit', 'cursor', 'x'),
          fc.string(),
        ),
        async (query) => {
          const res = await t.call('fuzz', 'GET', `/v1/tasks?${new URLSearchParams(query)}`);
          expect(res.status === 200 || res.status === 400).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('write nothing when rejected', async () => {
    const before = (await t.outbox()).length;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(field, nasty, { minKeys: 1, maxKeys: 4 }), async (payload) => {
        const count = (await t.outbox()).length;
        const res = await t.call('fuzz', 'POST', '/v1/tasks', { ...payload, title: 123 });
        expect(res.status).toBe(422);
        expect((await t.outbox()).length).toBe(count);
      }),
      { numRuns: 100 },
    );
    expect((await t.outbox()).length).toBe(before);
  });
});
