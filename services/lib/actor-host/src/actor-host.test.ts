import { createSidecar } from '@todo/platform';
import { FAKE_APP_TOKEN, FAKE_DAPR_TOKEN, FAKE_SIDECAR_OPTIONS, fakeSidecar } from '@todo/platform/testing';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ActorContext, ActorMethod, ActorType } from './actor.ts';
import { createActorHost } from './actor-host.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const events: string[] = [];
/** Turns of `quick` running now, and the most at once. */
const quickTurns = { now: 0, most: 0 };

/** A test actor: counts in its state, records reminders, fails on demand. */
class Counter implements Actor {
  readonly methods: Record<string, ActorMethod>;
  readonly #ctx: ActorContext;
  constructor(ctx: ActorContext) {
    this.#ctx = ctx;
    this.methods = {
      add: async (body) => {
        const n = ((await ctx.state.get<number>('n')) ?? 0) + (body as { by: number }).by;
        await ctx.state.set('n', n);
        return { n };
      },
      slow: async (body) => {
        events.push(`start ${ctx.id} ${String(body)}`);
        await new Promise((r) => setTimeout(r, 20));
        events.push(`end ${ctx.id} ${String(body)}`);
        return null;
      },
      quick: async () => {
        quickTurns.now += 1;
        quickTurns.most = Math.max(quickTurns.most, quickTurns.now);
        events.push(ctx.id);
        await new Promise((r) => setImmediate(r));
        quickTurns.now -= 1;
        return null;
      },
      fail: async () => {
        throw new Error('boom');
      },
    };
  }
  async onReminder(name: string, data: unknown) {
    events.push(`reminder ${this.#ctx.id} ${name} ${JSON.stringify(data)}`);
    await this.#ctx.reminders.delete(name);
  }
  async onDeactivate() {
    events.push(`deactivated ${this.#ctx.id}`);
  }
}

let created = 0;
const counterType: ActorType = {
  name: 'Counter',
  create: (ctx) => {
    created += 1;
    return new Counter(ctx);
  },
};

function setup(maxConcurrentTurns?: number, maxActorsInMemory?: number) {
  const sidecar = fakeSidecar();
  server.use(...sidecar.handlers);
  const host = createActorHost({
    ...(maxConcurrentTurns ? { maxConcurrentTurns } : {}),
    ...(maxActorsInMemory ? { maxActorsInMemory } : {}),
    types: [counterType],
    appApiToken: FAKE_APP_TOKEN,
    sidecar: createSidecar(FAKE_SIDECAR_OPTIONS),
    log: pino({ level: 'silent' }),
  });
  const call = (path: string, init: RequestInit = {}, token: string | null = FAKE_APP_TOKEN) =>
    host.app.request(path, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'dapr-api-token': token }) },
    });
  return { sidecar, host, call };
}

describe('GET /dapr/config', () => {
  it('answers 200 with the hosted types and runtime settings', async () => {
    const { call } = setup();
    const res = await call('/dapr/config');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      entities: ['Counter'],
      actorIdleTimeout: '1h',
      drainOngoingCallTimeout: '5s',
      drainRebalancedActors: true,
      reentrancy: { enabled: false },
    });
  });

  it('answers 401 without the app token', async () => {
    const { call } = setup();
    expect((await call('/dapr/config', {}, null)).status).toBe(401);
  });
});

describe('PUT /actors/{type}/{id}/method/{method}', () => {
  it('answers exactly 200 with the JSON result, state read and written through the sidecar', async () => {
    const { call, sidecar } = setup();
    const put = (by: number) =>
      call('/actors/Counter/c-1/method/add', { method: 'PUT', body: JSON.stringify({ by }) });
    const first = await put(2);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ n: 2 });
    expect(await (await put(3)).json()).toEqual({ n: 5 });
    const writes = sidecar.callsTo('/v1.0/actors/Counter/c-1/state', 'POST');
    expect(writes.map((w) => w.body)).toEqual([
      [{ operation: 'upsert', request: { key: 'n', value: 2 } }],
      [{ operation: 'upsert', request: { key: 'n', value: 5 } }],
    ]);
    expect(writes[0]?.headers.get('dapr-api-token')).toBe(FAKE_DAPR_TOKEN);
  });

  it.each([
    ['an unknown actor type', '/actors/Nope/c-1/method/add', 404],
    ['an unknown method', '/actors/Counter/c-1/method/nope', 404],
    ['an inherited property name', '/actors/Counter/c-1/method/constructor', 404],
  ])('answers 404 to %s', async (_, path, status) => {
    const { call } = setup();
    const res = await call(path, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(status);
  });

  it('answers 400 to a body that is not JSON, and the actor is not called', async () => {
    const { call, sidecar } = setup();
    const res = await call('/actors/Counter/c-1/method/add', { method: 'PUT', body: '{oops' });
    expect(res.status).toBe(400);
    expect(sidecar.calls).toHaveLength(0);
  });

  it('answers 401 to a missing or wrong app token', async () => {
    const { call } = setup();
    const init = { method: 'PUT', body: '{"by":1}' };
    expect((await call('/actors/Counter/c-1/method/add', init, null)).status).toBe(401);
    expect((await call('/actors/Counter/c-1/method/add', init, 'wrong')).status).toBe(401);
  });

  it('answers 500 with the Dapr application-error header when the method throws', async () => {
    const { call } = setup();
    const res = await call('/actors/Counter/c-1/method/fail', { method: 'PUT' });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-daprerrorresponseheader')).toBe('true');
    expect(await res.json()).toEqual({ error: 'boom' });
  });

  it('runs the calls of one actor one at a time, and different actors in parallel', async () => {
    const { call } = setup();
    events.length = 0;
    const slow = (id: string, n: number) =>
      call(`/actors/Counter/${id}/method/slow`, { method: 'PUT', body: String(n) });
    await Promise.all([slow('a', 1), slow('a', 2), slow('b', 3)]);
    const a = events.filter((e) => e.includes(' a '));
    expect(a).toEqual(['start a 1', 'end a 1', 'start a 2', 'end a 2']);
    // b started before a's first call ended.
    expect(events.indexOf('start b 3')).toBeLessThan(events.indexOf('end a 1'));
  });
});

describe('concurrency limit', () => {
  it('runs at most maxConcurrentTurns turns at once, across actors', async () => {
    const { call } = setup(1);
    events.length = 0;
    const slow = (id: string, n: number) =>
      call(`/actors/Counter/${id}/method/slow`, { method: 'PUT', body: String(n) });
    await Promise.all([slow('p', 1), slow('q', 2)]);
    expect(events).toEqual(['start p 1', 'end p 1', 'start q 2', 'end q 2']);
  });

  it('keeps a waiting line of thousands in arrival order, and within the limit', async () => {
    const { call } = setup(3);
    events.length = 0;
    quickTurns.most = 0;
    const ids = Array.from({ length: 3000 }, (_, i) => `w-${i}`);
    const answers = await Promise.all(
      ids.map((id) => call(`/actors/Counter/${id}/method/quick`, { method: 'PUT', body: '{}' })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(events).toEqual(ids);
    expect(quickTurns.most).toBe(3);
  });
});

describe('reminders, timers and deactivation', () => {
  it('delivers a reminder callback to onReminder with its name and data, answering 200', async () => {
    const { call, sidecar } = setup();
    events.length = 0;
    const res = await call('/actors/Counter/c-9/method/remind/due', {
      method: 'PUT',
      body: JSON.stringify({ data: { occurrence: 'x' }, dueTime: '', period: '' }),
    });
    expect(res.status).toBe(200);
    expect(events).toEqual(['reminder c-9 due {"occurrence":"x"}']);
    expect(sidecar.callsTo('/v1.0/actors/Counter/c-9/reminders/due', 'DELETE')).toHaveLength(1);
  });

  it('answers 404 to a timer callback on an actor without onTimer', async () => {
    const { call } = setup();
    const res = await call('/actors/Counter/c-9/method/timer/t', { method: 'PUT', body: '{"data":null}' });
    expect(res.status).toBe(404);
  });

  it('keeps at most maxActorsInMemory instances: the least recently used is dropped and created again', async () => {
    const { call, host } = setup(undefined, 2);
    const slow = (id: string) => call(`/actors/Counter/${id}/method/slow`, { method: 'PUT', body: '1' });
    const before = created;
    await slow('m-1');
    await slow('m-2');
    await slow('m-1'); // m-1 is now the most recently used
    expect(created).toBe(before + 2); // the control: a call to a kept actor creates nothing
    await slow('m-3'); // over the bound: m-2 goes
    expect(host.activeCount).toBe(2);
    await slow('m-1');
    expect(created).toBe(before + 3);
    await slow('m-2'); // dropped, so created again
    expect(created).toBe(before + 4);
    expect(host.activeCount).toBe(2);
  });

  it('deactivates with 200, calls onDeactivate, and activates a fresh instance on the next call', async () => {
    const { call, host } = setup();
    events.length = 0;
    await call('/actors/Counter/d-1/method/slow', { method: 'PUT', body: '1' });
    expect(host.activeCount).toBe(1);
    const before = created;
    const res = await call('/actors/Counter/d-1', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(events).toContain('deactivated d-1');
    expect(host.activeCount).toBe(0);
    await call('/actors/Counter/d-1/method/slow', { method: 'PUT', body: '2' });
    expect(created).toBe(before + 1);
  });

  it('answers 404 to deactivating an unknown type', async () => {
    const { call } = setup();
    expect((await call('/actors/Nope/x', { method: 'DELETE' })).status).toBe(404);
  });
});
