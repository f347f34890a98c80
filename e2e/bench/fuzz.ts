/**
 * The bad-input fuzz (a script, not a test; run it with scripts/fuzz): the whole system on the real
 * stack (three apps, each under its own daprd), then
 *
 *  - N generated bad requests (seeded, so a run can be repeated) at chat-api's and notifier's HTTP
 *    API: broken and hostile JSON, every field with a wrong type, out-of-range or ill-formed text,
 *    dates, ids, cursors, chat commands, query strings, methods, tokens and bodies. It prints the
 *    status histogram per kind (the target: no 5xx), and checks that none of them wrote a task;
 *  - M malformed events at each subscription, produced straight to Kafka (not through Dapr): not
 *    JSON, JSON that is not an event, events of a type the subscriber does not take, events whose
 *    data breaks their schema. It counts them in the dead-letter topics (the target: every one
 *    there, once per subscriber) and checks that no app and no sidecar restarted.
 *
 *   scripts/fuzz [--requests 10000] [--events 1000] [--seed 1] [--concurrency 16]
 *
 * A request that answered 5xx is written to the run's folder (fuzz-5xx.jsonl) with its answer.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOPICS } from '@todo/events';
import { signUserToken } from '@todo/platform';
import { Kafka, logLevel } from 'kafkajs';
import { bearer } from '../support/dev-token.ts';
import { openKafkaReader } from '../support/kafka-reader.ts';
import { stackEnv } from '../support/stack-env.ts';
import { type AppName, startSystem } from '../support/system.ts';
import { sleep } from '../support/wait.ts';

const { values: opt } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    events: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
  },
});
const REQUESTS = Number(opt.requests);
const EVENTS = Number(opt.events);
const CONCURRENCY = Number(opt.concurrency);
const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-fuzz-'));
const run = `fuzz-${Date.now()}`;
const say = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);

/** mulberry32: a small seeded generator, so the same seed sends the same requests. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

/** A string of `n` UTF-16 code units drawn from the whole range (lone surrogates and controls included). */
function anyUnits(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = r.int(6);
    if (kind === 0)
      s += String.fromCharCode(r.int(0x20)); // C0 controls, NUL included
    else if (kind === 1)
      s += String.fromCharCode(0xd800 + r.int(0x800)); // a lone surrogate
    else if (kind === 2)
      s += String.fromCharCode(0x7f + r.int(0x21)); // DEL and C1 controls
    else s += String.fromCharCode(r.int(0x10000));
  }
  return s;
}
/** Text that is always refused: it carries a control character or a lone surrogate somewhere. */
function badText(r: Rng): string {
  const poison = r.pick([
    '\u0000',
    '\u0007',
    '\u001b',
    '\u007f',
    '\u0085',
    '\ud800',
    '\udfff',
    '\u200b\u0000',
  ]);
  const body = anyUnits(r, r.int(40));
  const at = r.int(body.length + 1);
  // Fenced by ASCII, so a lone surrogate of the poison cannot pair with one of the body's and
  // make the text well-formed (a run once sent U+E43FF that way, a valid title).
  return `${body.slice(0, at)}a${poison}a${body.slice(at)}`;
}
const WRONG_TYPES = [
  0,
  -1,
  1e308,
  true,
  false,
  [],
  {},
  [1, 2],
  { $gt: '' },
  '',
  ' ',
  'null',
  '__proto__',
] as const;
const BAD_INSTANTS = [
  '',
  'now',
  'tomorrow',
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '0000-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '2200-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '-004713-01-01T00:00:00Z',
  '2026-01-01T00:00:00+99:00',
  '2026-01-01T00:00:00Z\u0000',
  1_700_000_000_000,
];
const BAD_RECURRENCES = [
  'RRULE:FREQ=SECONDLY',
  'RRULE:FREQ=MINUTELY;INTERVAL=1',
  'RRULE:FREQ=HOURLY;INTERVAL=0',
  'RRULE:FREQ=DAILY;INTERVAL=-1',
  'RRULE:FREQ=YEARLY;BYMONTH=13',
  'every 1 seconds',
  'hourly;DROP TABLE tasks',
  'RRULE:',
  '',
];
const BAD_UUIDS = [
  '1',
  'x',
  '00000000-0000-0000-0000-00000000000g',
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  'a'.repeat(300),
  "'; select 1; --",
  '%F0%9F%98%80',
  '%ED%A0%80',
];

interface FuzzRequest {
  kind: string;
  app: AppName;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent without the user's token (the headers may bring their own). */
  noAuth?: boolean;
  /** A raw body (sent as is), or a value sent as JSON. */
  raw?: string;
  json?: unknown;
}

const CREATE_FIELDS = [
  'title',
  'description',
  'priority',
  'tags',
  'due_at',
  'remind_at',
  'recurrence',
  'timezone',
];
const uuid = () => crypto.randomUUID();

/** The request generators: each one only ever makes a request that must be refused. */
const GENERATORS: ((r: Rng) => FuzzRequest)[] = [
  (r) => ({
    kind: 'create: bad title text',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: { title: badText(r) },
  }),
  (r) => ({
    kind: 'create: a field of the wrong type',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: ((field: string) => ({
      title: 'ok',
      // An empty array is a valid `tags` (no tags): not a wrong type there.
      [field]: r.pick(
        WRONG_TYPES.filter(
          (x) => typeof x !== 'string' && !(field === 'tags' && Array.isArray(x) && x.length === 0),
        ),
      ),
    }))(r.pick(CREATE_FIELDS.slice(1))),
  }),
  (r) => ({
    kind: 'create: title of the wrong type',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: r.int(8)
      ? { title: r.pick([...WRONG_TYPES.filter((x) => typeof x !== 'string'), '', ' ', null]) }
      : {},
  }),
  (r) => ({
    kind: 'create: bad instant',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: { title: 'ok', [r.pick(['due_at', 'remind_at'])]: r.pick(BAD_INSTANTS) },
  }),
  (r) => ({
    kind: 'create: bad recurrence',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: {
      title: 'ok',
      remind_at: new Date(Date.now() + 86_400_000).toISOString(),
      recurrence: r.pick(BAD_RECURRENCES),
    },
  }),
  (r) => ({
    kind: 'create: too many or bad tags',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: {
      title: 'ok',
      tags: r.int(2)
        ? Array.from({ length: 50 + r.int(2000) }, (_, i) => `t${i}`)
        : Array.from({ length: 3 }, () => badText(r)),
    },
  }),
  (r) => ({
    kind: 'create: unknown field',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: {
      title: 'ok',
      [r.pick(['user_id', 'id', 'version', '__proto__', 'constructor', 'status', 'x'])]: 'u',
    },
  }),
  (r) => ({
    kind: 'create: bad time zone',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    json: {
      title: 'ok',
      timezone: r.pick(['Mars/Olympus', 'UTC+25', '', '../../etc/localtime', badText(r)]),
    },
  }),
  (r) => ({
    kind: 'body: not JSON',
    app: 'chat-api',
    method: r.pick(['POST', 'PATCH']),
    path: r.int(2) ? '/v1/tasks' : `/v1/tasks/${uuid()}`,
    headers: { 'content-type': 'application/json' },
    raw: r.pick([
      '',
      '{',
      '{"title":',
      "{'title':'x'}",
      '{"title":"x",}',
      // Not here: '\ufeff{"title":"x"}'. A UTF-8 byte-order mark before JSON is ignored by the
      // Fetch standard's body.json() (and RFC 8259 allows it), so it is a valid create.
      '{"title":NaN}',
      'null',
      '[]',
      '"x"',
      '{"title":"x"}garbage',
      anyUnits(r, 30),
    ]),
  }),
  (r) => ({
    kind: 'body: nested too deep',
    app: 'chat-api',
    method: 'POST',
    path: r.int(2) ? '/v1/tasks' : '/v1/chat',
    headers: { 'content-type': 'application/json' },
    raw: ((n) => `{"title":${'['.repeat(n)}${r.int(2) ? ']'.repeat(n) : ''}}`)(5000 + r.int(25000)),
  }),
  (r) => ({
    kind: 'body: too large',
    app: 'chat-api',
    method: 'POST',
    path: r.int(2) ? '/v1/tasks' : '/v1/chat',
    json: { title: 'x'.repeat(70_000 + r.int(100_000)) },
  }),
  (r) => ({
    kind: 'body: wrong content type',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/tasks',
    headers: {
      'content-type': r.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      ]),
    },
    raw: r.int(2) ? 'title=x' : '{"title":"x"}',
  }),
  (r) => ({
    kind: 'patch: bad id, body or If-Match',
    app: 'chat-api',
    method: 'PATCH',
    path: `/v1/tasks/${r.int(2) ? r.pick(BAD_UUIDS) : uuid()}`,
    headers: r.int(2)
      ? { 'if-match': r.pick(['', '"', 'W/"x"', '*', '"999999999999999999999"', '"-1"']) }
      : {},
    json: r.pick([
      {},
      { status: 'gone' },
      { title: badText(r) },
      { due_at: r.pick(BAD_INSTANTS) },
      { version: 3 },
    ]),
  }),
  (r) => ({
    kind: 'snooze: bad amount',
    app: 'chat-api',
    method: 'POST',
    path: `/v1/tasks/${r.int(3) ? uuid() : r.pick(BAD_UUIDS)}/snooze`,
    json: r.pick([
      { minutes: 0 },
      { minutes: -5 },
      { minutes: 1.5 },
      { minutes: 999_999_999_999 },
      { minutes: '10' },
      { until: r.pick(BAD_INSTANTS) },
      { minutes: 5, until: '2030-01-01T00:00:00Z' },
      {},
    ]),
  }),
  (r) => ({
    kind: 'read, complete, delete: bad id',
    app: 'chat-api',
    method: r.pick(['GET', 'DELETE', 'POST']),
    path: `/v1/tasks/${r.pick(BAD_UUIDS)}${r.int(2) ? '/complete' : ''}`,
  }),
  (r) => {
    const params: Record<string, string> = {};
    const which = r.pick(['limit', 'cursor', 'q', 'due_before', 'due_after', 'status', 'tag', 'unknown']);
    params[which] = r.pick([
      '0',
      '-1',
      '101',
      '1e3',
      'abc',
      badText(r),
      'x'.repeat(500),
      String(r.pick(BAD_INSTANTS)),
      Buffer.from(JSON.stringify({ t: '-004713-01-01T00:00:00Z', id: uuid() })).toString('base64url'),
      Buffer.from(anyUnits(r, 20)).toString('base64url'),
    ]);
    if (which === 'tag' || which === 'status') params[which] = badText(r);
    // Any plain text up to 200 characters is a valid search: only bad text or too long a one.
    if (which === 'q') params[which] = r.int(2) ? badText(r) : 'x'.repeat(201 + r.int(300));
    return {
      kind: 'list: bad query',
      app: 'chat-api',
      method: 'GET',
      path: `/v1/tasks?${new URLSearchParams(params)}`,
    };
  },
  (r) => ({
    kind: 'chat: hostile command',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/chat',
    json: {
      message: r.pick([
        `add ${'x'.repeat(600 + r.int(1000))}`,
        'add pay rent in 10000 years',
        `every ${1 + r.int(59)} seconds remind me to drink`,
        `every ${5000 + r.int(100000)} minutes remind me to x`,
        `snooze ${1 + r.int(99)} for 999999999999 hours`,
        `rename 1 to ${'y'.repeat(700)}`,
        `add ${badText(r)}`,
        badText(r),
        '',
        ' '.repeat(2000),
        `done ${'9'.repeat(400)}`,
        `delete -1`,
        `remind me to x at 25:99`,
      ]),
    },
  }),
  (r) => ({
    kind: 'chat: wrong shape',
    app: 'chat-api',
    method: 'POST',
    path: '/v1/chat',
    json: r.pick([
      {},
      { message: 3 },
      { message: ['add x'] },
      { message: 'x'.repeat(5000) },
      { msg: 'add x' },
    ]),
  }),
  (r) => ({
    kind: 'auth: no or bad token',
    app: r.pick(['chat-api', 'notifier'] as const),
    noAuth: true,
    method: 'GET',
    path: r.pick(['/v1/tasks', '/v1/notifications']),
    headers: r.pick([
      {},
      { authorization: 'Bearer' },
      { authorization: 'Bearer x.y.z' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      {
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"root"}').toString('base64url')}.`,
      },
      { authorization: `Bearer ${'a'.repeat(20_000)}` },
    ]),
  }),
  (r) => ({
    kind: 'method not allowed',
    app: r.pick(['chat-api', 'notifier'] as const),
    // Not TRACE or CONNECT: fetch() refuses to send them, so they would count as "no answer".
    method: r.pick(['PUT', 'PATCH', 'DELETE']),
    path: r.pick(['/v1/tasks', '/v1/chat', '/v1/notifications', '/healthz']),
  }),
  (r) => ({
    kind: 'notifier: bad query or id',
    app: 'notifier',
    method: r.int(2) ? 'GET' : 'POST',
    path: r.int(2)
      ? `/v1/notifications?${new URLSearchParams({ [r.pick(['limit', 'cursor', 'unread'])]: r.pick(['0', '-1', '1000', 'abc', badText(r), 'x'.repeat(400)]) })}`
      : `/v1/notifications/${r.pick(BAD_UUIDS)}/read`,
  }),
  (r) => ({
    kind: 'subscription route without the app token',
    app: r.pick(['chat-api', 'notifier'] as const),
    noAuth: r.int(2) === 0,
    method: 'POST',
    path: r.pick(['/events/reminders', '/reminder-sweep', '/dapr/subscribe']),
    json: { id: 'x', type: 'todo.reminder.due.v1', data: {} },
  }),
];

interface Outcome {
  kind: string;
  status: number;
  /** The answer was problem+json (every 4xx should be). */
  problem: boolean;
}

async function send(
  base: Record<AppName, string>,
  auth: Record<string, string>,
  req: FuzzRequest,
): Promise<Outcome> {
  const headers: Record<string, string> = { ...(req.noAuth ? {} : auth), ...req.headers };
  let body: string | undefined = req.raw;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] ??= 'application/json';
  }
  try {
    const res = await fetch(`${base[req.app]}${req.path}`, {
      method: req.method,
      headers,
      ...(body === undefined || req.method === 'GET' ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const problem = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
    if (res.status >= 500)
      appendFileSync(
        join(logDir, 'fuzz-5xx.jsonl'),
        `${JSON.stringify({ ...req, json: undefined, body: body?.slice(0, 2000), status: res.status, answer: text.slice(0, 2000) })}\n`,
      );
    return { kind: req.kind, status: res.status, problem };
  } catch (err) {
    appendFileSync(
      join(logDir, 'fuzz-5xx.jsonl'),
      `${JSON.stringify({ ...req, error: String(err), cause: String((err as { cause?: unknown }).cause) })}\n`,
    );
    return { kind: req.kind, status: 0, problem: false };
  }
}

/** The malformed events, each carrying the run's marker so the dead-letter topics can be searched for it. */
function malformedEvent(r: Rng, marker: string, topic: string): string {
  const type = topic === TOPICS.taskEvents ? 'todo.task.created.v1' : 'todo.reminder.due.v1';
  const envelope = (over: Record<string, unknown>) =>
    JSON.stringify({
      specversion: '1.0',
      id: marker,
      source: 'fuzz',
      type,
      subject: uuid(),
      datacontenttype: 'application/json',
      time: new Date().toISOString(),
      userid: 'fuzz',
      correlationid: marker,
      ...over,
    });
  return r.pick([
    () => `${marker} not json ${anyUnits(r, 20)}`,
    () => `{"marker":"${marker}",`,
    () => JSON.stringify({ marker, hello: 'world' }),
    () => JSON.stringify([marker, 1, 2]),
    () => envelope({ type: 'todo.nothing.v9', data: { marker } }),
    () => envelope({ type: 'com.example.other', data: marker }),
    () => envelope({ data: { marker } }),
    () => envelope({ data: { task_id: 3, user_id: [], marker } }),
    () => envelope({ data: { marker, task_id: uuid(), user_id: 'u', title: badText(r), version: -1 } }),
    () => envelope({ data: `${marker}${'x'.repeat(200_000)}` }),
    () => envelope({ data: { marker, occurrence: '-004713-01-01T00:00:00Z', remind_at: 'never' } }),
  ])();
}

async function main() {
  say(`starting the system (logs: ${logDir})`);
  const system = await startSystem(stack, {
    logDir,
    env: {
      notifier: { LOG_LEVEL: 'warn' },
      'task-reminder': { LOG_LEVEL: 'warn' },
      // The production floor for recurrences (the e2e tests lower it to watch SECONDLY series).
      'chat-api': { LOG_LEVEL: 'warn', RECURRENCE_MIN_PERIOD_SECONDS: '3600' },
    },
  });
  const names: AppName[] = ['chat-api', 'task-reminder', 'notifier'];
  const pidsBefore = names.map((n) => [system.app(n).child.pid, system.sidecar(n).child.pid]);
  const dlqTasks = await openKafkaReader(stack.kafkaBrokers, TOPICS.taskEventsDlq);
  const dlqReminders = await openKafkaReader(stack.kafkaBrokers, TOPICS.remindersDlq);
  const users = Array.from({ length: 20 }, (_, i) => `${run}-u${i}`);
  const auths = await Promise.all(users.map((u) => bearer(stack.jwtSecret, u)));
  // A token that is well formed but expired, and one signed with another secret, join the mix.
  const expired = await signUserToken({ secret: stack.jwtSecret, sub: 'fuzz', ttlSeconds: 1 });
  const forged = await signUserToken({ secret: 'x'.repeat(48), sub: 'fuzz', ttlSeconds: 600 });
  await sleep(2_000);
  const r = rng(Number(opt.seed));
  try {
    say(`${REQUESTS} generated bad requests, ${CONCURRENCY} at a time (seed ${opt.seed})`);
    const outcomes: Outcome[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < REQUESTS; i = next++) {
          const req = (GENERATORS[r.int(GENERATORS.length)] as (r: Rng) => FuzzRequest)(r);
          let auth = auths[i % auths.length] as Record<string, string>;
          if (i % 97 === 0) auth = { authorization: `Bearer ${r.int(2) ? expired : forged}` };
          outcomes.push(await send(system.url, auth, req));
          if ((i + 1) % 2000 === 0) say(`  ${i + 1} sent`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const histogram: Record<string, number> = {};
    const byKind: Record<string, Record<string, number>> = {};
    for (const o of outcomes) {
      histogram[o.status] = (histogram[o.status] ?? 0) + 1;
      byKind[o.kind] ??= {};
      const k = byKind[o.kind] as Record<string, number>;
      k[o.status] = (k[o.status] ?? 0) + 1;
    }
    const server5xx = outcomes.filter((o) => o.status >= 500 || o.status === 0).length;
    const notProblem = outcomes.filter((o) => o.status >= 400 && !o.problem).length;
    const accepted = outcomes.filter((o) => o.status < 400).length;
    // Nothing written: none of the fuzz users has a task.
    let written = 0;
    for (const auth of auths) {
      const res = await fetch(`${system.url['chat-api']}/v1/tasks?limit=100`, { headers: auth });
      written += ((await res.json()) as { items: unknown[] }).items.length;
    }
    say(`requests: ${REQUESTS} in ${seconds.toFixed(1)} s; status histogram ${JSON.stringify(histogram)}`);
    for (const [kind, h] of Object.entries(byKind).sort())
      console.log(`  ${kind.padEnd(44)} ${JSON.stringify(h)}`);
    say(
      `5xx or no answer: ${server5xx}; 4xx not problem+json: ${notProblem}; 2xx/3xx: ${accepted}; tasks written: ${written}`,
    );

    say(
      `${EVENTS} malformed events at each of ${TOPICS.taskEvents} (task-reminder) and ${TOPICS.reminders} (chat-api, notifier)`,
    );
    const kafka = new Kafka({
      clientId: 'fuzz',
      brokers: stack.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (const topic of [TOPICS.taskEvents, TOPICS.reminders]) {
      // Small batches: a few malformed events are large, and a batch must stay under the broker's 1 MiB.
      for (let i = 0; i < EVENTS; i += 10) {
        await producer.send({
          topic,
          messages: Array.from({ length: Math.min(10, EVENTS - i) }, (_, j) => {
            const marker = `${run}-${topic}-${i + j}`;
            return { key: r.int(4) ? uuid() : marker, value: malformedEvent(r, marker, topic) };
          }),
        });
      }
    }
    await producer.disconnect();
    const ours = (topic: string) => (value: string) => value.includes(`${run}-${topic}-`);
    const markersIn = (records: { value: string }[], topic: string) => {
      const seen = new Map<string, number>();
      for (const rec of records) {
        const m = new RegExp(`${run}-${topic}-(\\d+)`).exec(rec.value)?.[1];
        if (m !== undefined) seen.set(m, (seen.get(m) ?? 0) + 1);
      }
      return seen;
    };
    const want = { tasks: EVENTS, reminders: 2 * EVENTS };
    const tasksDlq = await dlqTasks.readUntil(
      (rs) => rs.filter((x) => ours(TOPICS.taskEvents)(x.value)).length >= want.tasks,
      180_000,
    );
    const remindersDlq = await dlqReminders.readUntil(
      (rs) => rs.filter((x) => ours(TOPICS.reminders)(x.value)).length >= want.reminders,
      180_000,
    );
    await sleep(3_000);
    const t = markersIn(tasksDlq, TOPICS.taskEvents);
    const m = markersIn(remindersDlq, TOPICS.reminders);
    const alive = names.map((n, i) => ({
      name: n,
      app: system.app(n).child.exitCode === null && system.app(n).child.pid === pidsBefore[i]?.[0],
      sidecar:
        system.sidecar(n).child.exitCode === null && system.sidecar(n).child.pid === pidsBefore[i]?.[1],
    }));
    const events = {
      [`${TOPICS.taskEvents} → ${TOPICS.taskEventsDlq}`]: {
        sent: EVENTS,
        dead_lettered: [...t.values()].reduce((s, x) => s + x, 0),
        distinct: t.size,
        expected: want.tasks,
      },
      [`${TOPICS.reminders} → ${TOPICS.remindersDlq}`]: {
        sent: EVENTS,
        dead_lettered: [...m.values()].reduce((s, x) => s + x, 0),
        distinct: m.size,
        twice: [...m.values()].filter((x) => x === 2).length,
        expected: want.reminders,
      },
    };
    for (const [k, e] of Object.entries(events)) say(`events ${k}: ${JSON.stringify(e)}`);
    say(`processes still up (same pid): ${JSON.stringify(alive)}`);
    const result = {
      run,
      seed: opt.seed,
      requests: REQUESTS,
      seconds,
      histogram,
      byKind,
      server5xx,
      notProblem,
      accepted,
      written,
      events,
      alive,
    };
    writeFileSync(join(logDir, 'fuzz.json'), JSON.stringify(result, null, 2));
    say(
      `figures: ${join(logDir, 'fuzz.json')}${server5xx ? `; the 5xx: ${join(logDir, 'fuzz-5xx.jsonl')}` : ''}`,
    );
  } finally {
    await dlqTasks.close();
    await dlqReminders.close();
    await system.stop();
  }
}

await main();
