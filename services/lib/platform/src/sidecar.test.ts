import {
  createServer,
  type IncomingMessage,
  type Server as NodeServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSidecar, SidecarError } from './sidecar.ts';
import { FAKE_SIDECAR, FAKE_SIDECAR_OPTIONS, fakeSidecar } from './testing.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const event = {
  specversion: '1.0',
  id: '0190-e1',
  type: 'todo.task.created.v1',
  source: 'chat-api',
  subject: 't-1',
  data: { a: 1 },
};

function setup(timeouts = {}) {
  const fake = fakeSidecar();
  server.use(...fake.handlers);
  return { fake, sidecar: createSidecar({ ...FAKE_SIDECAR_OPTIONS, timeouts }) };
}

describe('publish', () => {
  it('posts the CloudEvent as is, with the partition key, content type and API token', async () => {
    const { fake, sidecar } = setup();
    await sidecar.publish('task-events', event, { partitionKey: 't-1' });
    const [call] = fake.callsTo('/v1.0/publish/kafka-pubsub/task-events', 'POST');
    expect(call?.query.get('metadata.partitionKey')).toBe('t-1');
    expect(call?.headers.get('content-type')).toBe('application/cloudevents+json');
    expect(call?.headers.get('dapr-api-token')).toBe(FAKE_SIDECAR_OPTIONS.apiToken);
    expect(fake.publishedTo('task-events')).toEqual([
      expect.objectContaining({ partitionKey: 't-1', event, bulk: false }),
    ]);
  });

  it('throws a SidecarError naming the call when the sidecar answers 500, or is down', async () => {
    const { fake, sidecar } = setup();
    fake.publishStatus = 500;
    await expect(sidecar.publish('task-events', event, { partitionKey: 't-1' })).rejects.toBeInstanceOf(
      SidecarError,
    );
    server.use(http.post(`${FAKE_SIDECAR}/v1.0/publish/*`, () => HttpResponse.error()));
    await expect(sidecar.publish('task-events', event, { partitionKey: 't-1' })).rejects.toThrow(
      /publish to kafka-pubsub\/task-events failed/,
    );
  });

  it('sends a bulk publish with entry ids and keys, and reports only the entries daprd names as failed', async () => {
    const { fake, sidecar } = setup();
    fake.failEntry = (e) => (e.entryId === 'b' ? 'broker said no' : undefined);
    const failed = await sidecar.publishBulk('task-events', [
      { id: 'a', event, partitionKey: 'k1' },
      { id: 'b', event, partitionKey: 'k2' },
    ]);
    expect(failed).toEqual(new Map([['b', 'broker said no']]));
    expect(fake.publishedTo('task-events').map((m) => m.partitionKey)).toEqual(['k1']);
  });

  it('throws when a failed bulk answer names none of the entries (it cannot pass as a partial success)', async () => {
    const { sidecar } = setup();
    server.use(
      http.post(`${FAKE_SIDECAR}/v1.0/publish/bulk/*`, () =>
        HttpResponse.json({ failedEntries: [{ entryID: 'a' }] }, { status: 500 }),
      ),
    );
    await expect(sidecar.publishBulk('task-events', [{ id: 'a', event, partitionKey: 'k' }])).rejects.toThrow(
      /bulk publish to kafka-pubsub\/task-events failed: status 500/,
    );
  });
});

describe('actors', () => {
  it('registers a reminder with an RFC 3339 UTC dueTime, unchanged (the SDK lower-cases it)', async () => {
    const { fake, sidecar } = setup();
    await sidecar.registerReminder('TaskReminder', 't/1', 'due', {
      dueTime: new Date('2026-12-01T09:00:00Z'),
      data: { occurrence: 'x' },
    });
    const [call] = fake.calls;
    expect(call?.method).toBe('PUT');
    expect(call?.path).toBe('/v1.0/actors/TaskReminder/t/1/reminders/due');
    expect(call?.body).toEqual({ dueTime: '2026-12-01T09:00:00.000Z', data: { occurrence: 'x' } });
    expect(await sidecar.getReminder('TaskReminder', 't/1', 'due')).toMatchObject({
      dueTime: '2026-12-01T09:00:00.000Z',
    });
    await sidecar.deleteReminder('TaskReminder', 't/1', 'due');
    await expect(sidecar.deleteReminder('TaskReminder', 't/1', 'due')).resolves.toBeUndefined();
    expect(await sidecar.getReminder('TaskReminder', 't/1', 'due')).toBeUndefined();
  });

  it('sends state as one transaction and reads an empty key (204) as undefined', async () => {
    const { fake, sidecar } = setup();
    await sidecar.saveActorState('A', '1', [
      { operation: 'upsert', key: 'k', value: { n: 1 } },
      { operation: 'delete', key: 'old' },
    ]);
    expect(fake.calls[0]?.body).toEqual([
      { operation: 'upsert', request: { key: 'k', value: { n: 1 } } },
      { operation: 'delete', request: { key: 'old' } },
    ]);
    expect(await sidecar.getActorState('A', '1', 'k')).toEqual({ n: 1 });
    expect(await sidecar.getActorState('A', '1', 'nothing')).toBeUndefined();
  });

  it('fails an actor call on anything but 200, with the status and body', async () => {
    const { sidecar } = setup();
    server.use(
      http.put(`${FAKE_SIDECAR}/v1.0/actors/*`, () =>
        HttpResponse.json({ errorCode: 'ERR_ACTOR_INVOKE_METHOD' }, { status: 500 }),
      ),
    );
    const failing = sidecar.invokeActor('A', '1', 'apply', {});
    await expect(failing).rejects.toBeInstanceOf(SidecarError);
    await expect(failing).rejects.toMatchObject({ status: 500, operation: 'invoke A/1.apply' });
    server.use(http.put(`${FAKE_SIDECAR}/v1.0/actors/*`, () => new HttpResponse(null, { status: 204 })));
    await expect(sidecar.invokeActor('A', '1', 'apply', {})).rejects.toThrow(/status 204/);
  });
});

describe('bindings, metadata and health', () => {
  it('posts a binding request with its metadata, and fails on a non-2xx', async () => {
    const { fake, sidecar } = setup();
    expect(await sidecar.invokeBinding('hook', 'post', { a: 1 }, { 'X-Id': '7' })).toEqual({
      status: 200,
      body: '',
    });
    expect(fake.bindings).toEqual([
      { name: 'hook', operation: 'post', data: { a: 1 }, metadata: { 'X-Id': '7' } },
    ]);
    fake.bindingStatus = 502;
    await expect(sidecar.invokeBinding('hook', 'post', {})).rejects.toThrow(
      /binding hook.post failed: status 500/,
    );
  });

  it('reads the actor runtime from the metadata, and reports outbound health', async () => {
    const { fake, sidecar } = setup();
    fake.metadata = { id: 'x', actorRuntime: { hostReady: false, placement: 'placement: disconnected' } };
    expect((await sidecar.metadata()).actorRuntime).toEqual({
      hostReady: false,
      placement: 'placement: disconnected',
    });
    expect(await sidecar.outboundHealthy()).toBe(true);
    fake.outboundStatus = 500;
    expect(await sidecar.outboundHealthy()).toBe(false);
  });
});

describe('timeouts', () => {
  it('fails a call to a hung sidecar after its timeout, naming the call', async () => {
    const { fake, sidecar } = setup({ state: 50, publish: 50 });
    fake.delayMs = 1_000;
    await expect(sidecar.getActorState('A', '1', 'k')).rejects.toThrow(
      /get state A\/1\/k failed: no answer within 50 ms/,
    );
    await expect(sidecar.publish('t', event, { partitionKey: 'k' })).rejects.toThrow(
      /no answer within 50 ms/,
    );
    // A positive control: the same call answers once the sidecar does.
    fake.delayMs = 0;
    await expect(sidecar.getActorState('A', '1', 'k')).resolves.toBeUndefined();
  });

  it('waits for the sidecar, then gives up with a SidecarError', async () => {
    const { sidecar } = setup({ probe: 50 });
    await expect(sidecar.waitUntilReady(2_000)).resolves.toBeUndefined();
    server.use(http.get(`${FAKE_SIDECAR}/v1.0/metadata`, () => HttpResponse.error()));
    await expect(sidecar.waitUntilReady(600)).rejects.toThrow(
      /wait for the sidecar failed: not ready after 600 ms/,
    );
  });

  it('refuses to be created without an API token', () => {
    expect(() => createSidecar({ httpPort: 3500, apiToken: '' })).toThrow(/DAPR_API_TOKEN/);
  });
});

describe('transport (node:http, against a real server)', () => {
  const servers: NodeServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  /** A real daprd stand-in on a free port; msw lets its requests through to the socket. */
  async function realSidecar(handle: (req: IncomingMessage, res: ServerResponse) => void, timeouts = {}) {
    const connections: Socket[] = [];
    const srv = createServer(handle);
    srv.on('connection', (socket) => connections.push(socket));
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
    return { connections, sidecar: createSidecar({ httpPort: port, apiToken: 'real-token', timeouts }) };
  }

  it('rejects a call that gets no answer within its timeout, and aborts the request', async () => {
    let closed = 0;
    const { sidecar } = await realSidecar(
      (req) => {
        req.resume();
        req.socket.on('close', () => closed++);
      },
      { state: 50 },
    );
    const hung = sidecar.getActorState('A', '1', 'k');
    await expect(hung).rejects.toBeInstanceOf(SidecarError);
    await expect(hung).rejects.toMatchObject({
      status: undefined,
      message: 'dapr sidecar: get state A/1/k failed: no answer within 50 ms',
    });
    // The request was destroyed, not left hanging on a socket the server still holds open.
    await vi.waitFor(() => expect(closed).toBe(1), { timeout: 2_000 });
  });

  it('sends consecutive calls over one kept-alive connection, with a correct content-length', async () => {
    const seen: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
    const { connections, sidecar } = await realSidecar((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":"é"}');
      });
    });
    for (let i = 0; i < 19; i++) expect(await sidecar.getActorState('A', '1', 'k')).toEqual({ n: 'é' });
    await sidecar.saveActorState('A', '1', [{ operation: 'upsert', key: 'k', value: 'é'.repeat(10) }]);
    expect(seen).toHaveLength(20);
    expect(connections).toHaveLength(1);
    expect(seen[0]?.headers['content-type']).toBeUndefined();
    const save = seen[19];
    expect(save?.headers['dapr-api-token']).toBe('real-token');
    expect(save?.headers['content-type']).toBe('application/json');
    // 'é' is two bytes in UTF-8: a length counted in characters would cut the body short.
    expect(JSON.parse(String(save?.body))).toEqual([
      { operation: 'upsert', request: { key: 'k', value: 'é'.repeat(10) } },
    ]);
    expect(save?.headers['content-length']).toBe(String(save?.body.length));
  });

  it("puts a non-2xx answer's text in the error (cut to 500 chars), and keeps the connection", async () => {
    const { connections, sidecar } = await realSidecar((req, res) => {
      req.resume();
      if (req.url?.endsWith('/state/bad')) res.writeHead(200).end('not json');
      else if (req.url?.endsWith('/state/k')) res.writeHead(500).end(`ERR_ACTOR_STATE ${'x'.repeat(600)}`);
      else res.writeHead(204).end();
    });
    const failing = sidecar.getActorState('A', '1', 'k');
    await expect(failing).rejects.toMatchObject({ status: 500, operation: 'get state A/1/k' });
    const message = await failing.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toContain('failed: status 500: ERR_ACTOR_STATE xxx');
    expect(message.length).toBe('dapr sidecar: get state A/1/k failed: status 500: '.length + 500);
    await expect(sidecar.getActorState('A', '1', 'bad')).rejects.toThrow(/answer is not JSON: not json/);
    await expect(sidecar.getActorState('A', '1', 'none')).resolves.toBeUndefined();
    // Every answer was read to its end, so the one socket went back to the agent each time.
    expect(connections).toHaveLength(1);
  });
});
