/**
 * The MCP endpoint through the official MCP client (Streamable HTTP), with the app answering in
 * process: the client's fetch is `app.request`. The running app is tested the same way in
 * e2e/mcp.e2e.test.ts.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTaskFields } from '../tasks/task-schemas.ts';
import { countingRelay, createTestApp, type Json, type TestApp, token } from '../testing/test-app.ts';

let t: TestApp;
const clock = new Date('2026-11-29T10:00:00.000Z');
const URL_ = 'http://127.0.0.1:3000/mcp';

beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

/** app.request as the client's fetch; a request built from a URL carries no Host, so it is set here as a socket would. */
function inProcessFetch(extra: Record<string, string> = {}, app: TestApp = t) {
  return async (url: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('host', new URL(url).host);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    return app.app.request(String(url), { ...init, headers });
  };
}

async function connect(
  user: string | null,
  extra: Record<string, string> = {},
  app: TestApp = t,
): Promise<Client> {
  const bearer = user === null ? undefined : await token(user);
  const transport = new StreamableHTTPClientTransport(new URL(URL_), {
    fetch: inProcessFetch(extra, app),
    ...(bearer ? { authProvider: { token: async () => bearer } } : {}),
  });
  const client = new Client({ name: 'mcp-route-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

interface ToolAnswer {
  isError?: boolean;
  structuredContent?: Json;
  content: { type: string; text?: string }[];
}
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  return (await client.callTool({ name, arguments: args })) as ToolAnswer;
}
const textOf = (a: ToolAnswer) => a.content.map((c) => c.text ?? '').join('\n');

describe('POST /mcp: the todo tools', () => {
  it('lists every tool with a strict input schema derived from the REST schemas, and no user argument', async () => {
    const client = await connect('lister');
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual([
      'add_task',
      'complete_task',
      'delete_task',
      'list_tasks',
      'snooze_task',
      'update_task',
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.inputSchema.additionalProperties).toBe(false);
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('user_id');
      expect(tool.outputSchema?.type).toBe('object');
    }
    const add = tools.find((x) => x.name === 'add_task');
    expect(add?.inputSchema.required).toEqual(['title']);
    // The same fields as POST /v1/tasks.
    expect(Object.keys(add?.inputSchema.properties ?? {})).toEqual(Object.keys(CreateTaskFields.entries));
    expect(tools.find((x) => x.name === 'list_tasks')?.annotations?.readOnlyHint).toBe(true);
    await client.close();
  });

  it('runs a whole todo list: add, list, find by text, update, snooze, complete, delete, with the same events as REST', async () => {
    const client = await connect('agent-user');
    const added = await call(client, 'add_task', {
      title: 'Pay rent',
      due_at: '2026-12-01T09:00:00+01:00',
      remind_at: '2026-12-01T08:00:00+01:00',
      tags: ['home'],
      timezone: 'Europe/Paris',
    });
    expect(added.isError).toBeFalsy();
    const task = added.structuredContent;
    expect(task).toMatchObject({
      title: 'Pay rent',
      user_id: 'agent-user',
      due_at: '2026-12-01T08:00:00.000Z',
      remind_at: '2026-12-01T07:00:00.000Z',
      tags: ['home'],
      status: 'open',
      version: 1,
    });
    const events = (await t.outbox()).filter((o) => o.key === task.id);
    expect(events.map((o) => [o.topic, o.event.type])).toEqual([
      ['task-events', 'todo.task.created.v1'],
      ['task-updates', 'todo.task.changed.v1'],
    ]);
    expect(events[0]?.event.data).toEqual(task);
    expect(events[0]?.event.userid).toBe('agent-user');

    await call(client, 'add_task', { title: 'Water the plants', tags: ['garden'] });
    const listed = await call(client, 'list_tasks', { tag: 'home' });
    expect(listed.structuredContent.items.map((x: Json) => x.id)).toEqual([task.id]);
    expect(textOf(listed)).toContain('1 task');
    const found = await call(client, 'list_tasks', { q: 'plants' });
    expect(found.structuredContent.items.map((x: Json) => x.title)).toEqual(['Water the plants']);

    const updated = await call(client, 'update_task', {
      id: task.id,
      title: 'Pay the rent',
      priority: 'high',
    });
    expect(updated.structuredContent).toMatchObject({ title: 'Pay the rent', priority: 'high', version: 2 });
    const snoozed = await call(client, 'snooze_task', { id: task.id, minutes: 30 });
    expect(snoozed.structuredContent.remind_at).toBe('2026-11-29T10:30:00.000Z');
    const done = await call(client, 'complete_task', { id: task.id });
    expect(done.structuredContent).toMatchObject({ status: 'completed', version: 4 });
    const open = await call(client, 'list_tasks', { status: 'open' });
    expect(open.structuredContent.items.map((x: Json) => x.title)).toEqual(['Water the plants']);
    const deleted = await call(client, 'delete_task', { id: task.id });
    expect(deleted.structuredContent).toEqual({ id: task.id, deleted: true });
    expect(
      (await t.outbox())
        .filter((o) => o.key === task.id && o.topic === 'task-events')
        .map((o) => o.event.type),
    ).toEqual([
      'todo.task.created.v1',
      'todo.task.updated.v1',
      'todo.task.updated.v1',
      'todo.task.completed.v1',
      'todo.task.deleted.v1',
    ]);
    await client.close();
  });

  it('answers a bad argument with a tool error naming the field, and writes nothing', async () => {
    const client = await connect('careless');
    const before = (await t.outbox()).length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ title: '' }, /title/],
      [{ title: 'x', remind_at: 'tomorrow' }, /remind_at/],
      [{ title: 'x', recurrence: 'daily' }, /remind_at/],
      [{ title: 'x', timezone: 'Nowhere/Land' }, /timezone/],
      [{ title: 'x', user_id: 'someone-else' }, /user_id/],
    ];
    for (const [args, field] of cases) {
      const answer = await call(client, 'add_task', args);
      expect(answer.isError, JSON.stringify(args)).toBe(true);
      expect(textOf(answer)).toMatch(field);
    }
    const snooze = await call(client, 'snooze_task', { id: '0190a000-0000-7000-8000-000000000000' });
    expect(snooze.isError).toBe(true);
    expect(textOf(snooze)).toMatch(/minutes|until/);
    const update = await call(client, 'update_task', { id: 'not-a-uuid', title: 'y' });
    expect(update.isError).toBe(true);
    expect(textOf(update)).toMatch(/id/);
    expect((await t.outbox()).length).toBe(before);
    // The positive control: the same client, a good argument, a task.
    const ok = await call(client, 'add_task', { title: 'x' });
    expect(ok.isError).toBeFalsy();
    expect((await t.outbox()).length).toBe(before + 2);
    await client.close();
  });

  it("never touches another user's task: it is not found, as on REST", async () => {
    const alice = await connect('mcp-alice');
    const bob = await connect('mcp-bob');
    const task = (await call(alice, 'add_task', { title: "Alice's secret" })).structuredContent;
    for (const [name, args] of [
      ['complete_task', { id: task.id }],
      ['delete_task', { id: task.id }],
      ['update_task', { id: task.id, title: 'mine now' }],
      ['snooze_task', { id: task.id, minutes: 5 }],
    ] as const) {
      const answer = await call(bob, name, args);
      expect(answer.isError, name).toBe(true);
      expect(textOf(answer)).toMatch(/^not_found/);
    }
    expect((await call(bob, 'list_tasks', {})).structuredContent.items).toEqual([]);
    expect((await call(bob, 'list_tasks', { q: 'secret' })).structuredContent.items).toEqual([]);
    // Alice still has it, unchanged: the refusals were about Bob, not the task.
    const mine = (await call(alice, 'list_tasks', {})).structuredContent.items;
    expect(mine).toEqual([expect.objectContaining({ id: task.id, title: "Alice's secret", version: 1 })]);
    expect((await call(alice, 'complete_task', { id: task.id })).structuredContent.status).toBe('completed');
    await alice.close();
    await bob.close();
  });

  it('adds a task in the zone the user set once when the call names none', async () => {
    expect((await t.call('zoned', 'PUT', '/v1/preferences', { timezone: 'Asia/Tokyo' })).status).toBe(200);
    const client = await connect('zoned');
    const task = (await call(client, 'add_task', { title: 'zoned' })).structuredContent;
    expect(task.timezone).toBe('Asia/Tokyo');
    const named = (await call(client, 'add_task', { title: 'named', timezone: 'Europe/Paris' }))
      .structuredContent;
    expect(named.timezone).toBe('Europe/Paris');
    await client.close();
  });
});

describe('POST /mcp: the write allowance', () => {
  it('spends the same per-user write allowance as REST: over it a tool error says when to try again', async () => {
    const limited = await createTestApp({
      now: () => clock,
      limits: { writesPerSecond: 0.01, writeBurst: 2 },
    });
    try {
      const client = await connect('hasty', {}, limited);
      expect((await call(client, 'add_task', { title: 'one' })).isError).toBeFalsy();
      // REST and MCP share the bucket: this REST write spends the second token.
      expect((await limited.call('hasty', 'POST', '/v1/tasks', { title: 'two' })).status).toBe(201);
      const third = await call(client, 'add_task', { title: 'three' });
      expect(third.isError).toBe(true);
      expect(textOf(third)).toMatch(/^rate_limited: .*\n.*Try again in \d+ s/s);
      // Reads are not writes: listing still works, and shows the two tasks only.
      const listed = await call(client, 'list_tasks', {});
      expect(listed.structuredContent.items.map((x: Json) => x.title).sort()).toEqual(['one', 'two']);
      // Another user has an allowance of their own.
      expect((await limited.call('patient', 'POST', '/v1/tasks', { title: 'mine' })).status).toBe(201);
      await client.close();
    } finally {
      await limited.close();
    }
  });
});

describe('POST /mcp: who may call it', () => {
  it('refuses a client without a token with 401 and the RFC 9728 challenge, whose metadata names the resource', async () => {
    await expect(connect(null)).rejects.toThrow();
    const res = await inProcessFetch()(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    const metadata = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadata).toBe('http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp');
    const doc = await (await inProcessFetch()(metadata as string)).json();
    expect(doc).toMatchObject({ resource: URL_, bearer_methods_supported: ['header'] });

    const bad = await inProcessFetch({ authorization: 'Bearer a.b.c' })(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/resource_metadata="[^"]+", error="invalid_token"/);
  });

  it('refuses a Host or an Origin that is not this server (DNS rebinding), and takes its own', async () => {
    const evilHost = await t.app.request(URL_, {
      method: 'POST',
      headers: {
        host: 'evil.example:3000',
        authorization: `Bearer ${await token('rebound')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(evilHost.status).toBe(403);
    await expect(connect('rebound', { origin: 'http://evil.example' })).rejects.toThrow();
    // Positive controls: the same user from this host, and from a page of this host.
    const fromHere = await connect('rebound', { origin: 'http://127.0.0.1:3000' });
    expect((await fromHere.listTools()).tools.length).toBe(6);
    await fromHere.close();
  });

  it('takes only POST on /mcp (stateless: no stream to GET, no session to DELETE)', async () => {
    const res = await inProcessFetch()(URL_, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});

describe('POST /mcp: the outbox relay', () => {
  it('a tool that writes wakes the relay once its write committed; a read or a refused write does not', async () => {
    const relay = countingRelay();
    const w = await createTestApp({ now: () => clock, relay });
    try {
      const client = await connect('waker', {}, w);
      const added = await call(client, 'add_task', { title: 'wake the relay' });
      expect(added.isError).toBeFalsy();
      expect(relay.wakes).toBe(1);
      expect((await w.outbox()).length).toBe(2);
      await call(client, 'list_tasks', {});
      expect((await call(client, 'add_task', { title: '' })).isError).toBe(true);
      expect(relay.wakes).toBe(1);
      await call(client, 'complete_task', { id: added.structuredContent.id });
      expect(relay.wakes).toBe(2);
      await client.close();
    } finally {
      await w.close();
    }
  });
});
