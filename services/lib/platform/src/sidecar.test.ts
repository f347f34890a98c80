import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
