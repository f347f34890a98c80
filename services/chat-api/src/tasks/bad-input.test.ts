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
const taskIdLike = '01a23440-f03f-7200-a491-7dba4b75105f';
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
/** Any UTF-16 text: every code point, lone surrogates and control characters included. */
const anyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength }),
  );
const nasty = fc.oneof(
  fc.jsonValue(),
  anyText(80),
  fc.constantFrom(
    '2026-02-30T10:00:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    'RRULE:FREQ=SECONDLY;INTERVAL=0',
    'RRULE:FREQ=DAILY;COUNT=99999999999',
    'Etc/GMT+99',
    '\u0000',
    'x'.repeat(600),
    'a\u0000b',
    'a\ud800b',
    'a\u0085b',
    -1,
    1e308,
    Number.NaN,
  ),
);
const body = fc.oneof(
  fc.dictionary(field, nasty, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  anyText(200),
  // Chat commands the parser turns into tasks the schemas must refuse.
  fc
    .constantFrom(
      `add ${'x'.repeat(600)}`,
      'add pay rent in 10000 years',
      'every 5000 minutes remind me to x',
      'snooze 1 for 999999999999 hours',
      `rename 1 to ${'y'.repeat(700)}`,
      'every 1 seconds remind me to drink',
      'add a\u0000b tomorrow',
    )
    .chain((message) => fc.constant(JSON.stringify({ message }))),
  anyText(120).map((message) => JSON.stringify({ message })),
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
          // An error body is never much larger than the request (at most 20 field errors).
          if (res.status >= 400) expect((await res.text()).length).toBeLessThan(4_000 + text.length);
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
          fc.oneof(
            anyText(40),
            fc.constantFrom('a\u0000b', '\ud800', '%\u0000%'),
            // A cursor whose date PostgreSQL refuses (before 4713 BC), as node-pg would send it.
            fc.constant(
              Buffer.from(
                JSON.stringify(['-004714-01-01T00:00:00.000Z', '01a23440-f03f-7200-a491-7dba4b75105f']),
              ).toString('base64url'),
            ),
          ),
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

describe('the inputs that once answered 500', () => {
  const cursor = Buffer.from(JSON.stringify(['-004714-01-01T00:00:00.000Z', taskIdLike])).toString(
    'base64url',
  );
  it.each([
    ['POST', '/v1/tasks', { title: 'a\u0000b' }, 422, 'body.title'],
    ['POST', '/v1/tasks', { title: 'a\ud800b' }, 422, 'body.title'],
    ['POST', '/v1/chat', { message: `add ${'x'.repeat(600)}` }, 422, 'body.message'],
    ['POST', '/v1/chat', { message: 'add pay rent in 10000 years' }, 422, 'body.message'],
    ['POST', '/v1/chat', { message: 'every 5000 minutes remind me to x' }, 422, 'body.message'],
    ['POST', '/v1/chat', { message: 'snooze target for 999999999999 hours' }, 422, 'body.message'],
    ['POST', '/v1/chat', { message: `rename target to ${'y'.repeat(700)}` }, 422, 'body.message'],
    ['GET', `/v1/tasks?cursor=${cursor}`, undefined, 400, 'query.cursor'],
  ] as const)(
    '%s %s %j answers %i naming %s, and writes nothing',
    async (method, path, body, status, field) => {
      const before = (await t.outbox()).length;
      const res = await t.call('fuzz', method, path, body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await res.json()).errors.map((e: { path: string }) => e.path)).toContain(field);
      expect((await t.outbox()).length).toBe(before);
    },
  );

  it('answers a 24 KB body of bad tags with a short list of errors, the array length first', async () => {
    const tags = Array.from({ length: 2_400 }, () => '!!bad tag!!');
    const text = JSON.stringify({ title: 'x', tags });
    const res = await t.call('fuzz', 'POST', '/v1/tasks', text);
    expect(res.status).toBe(422);
    const answer = await res.text();
    expect(answer.length).toBeLessThan(text.length / 5);
    const { errors } = JSON.parse(answer);
    expect(errors[0].path).toBe('body.tags');
    expect(errors.at(-1).message).toMatch(/more errors/);
  });
});
