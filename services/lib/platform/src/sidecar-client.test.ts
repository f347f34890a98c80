import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSidecar, SidecarError } from './sidecar-client.ts';
import { MOCK_SIDECAR_PORT, recordingSidecar } from './sidecar-mock.ts';

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

describe('createSidecar().publishCloudEvent', () => {
  it('posts the CloudEvent as is, with the partition key, content type and API token', async () => {
    const mock = recordingSidecar();
    server.use(...mock.handlers);
    const sidecar = createSidecar({ httpPort: MOCK_SIDECAR_PORT, apiToken: 'tok-1' });

    await sidecar.publishCloudEvent('kafka-pubsub', 'task-events', event, { partitionKey: 't-1' });

    expect(mock.calls).toHaveLength(1);
    const [call] = mock.calls;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/v1.0/publish/kafka-pubsub/task-events');
    expect(call?.search.get('metadata.partitionKey')).toBe('t-1');
    expect(call?.headers.get('content-type')).toBe('application/cloudevents+json');
    expect(call?.headers.get('dapr-api-token')).toBe('tok-1');
    expect(JSON.parse(call?.body ?? '')).toEqual(event);
  });

  it('throws a SidecarError when the sidecar answers 500', async () => {
    const mock = recordingSidecar(() =>
      HttpResponse.json({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }, { status: 500 }),
    );
    server.use(...mock.handlers);
    const sidecar = createSidecar({ httpPort: MOCK_SIDECAR_PORT, apiToken: 'tok-1' });

    await expect(
      sidecar.publishCloudEvent('kafka-pubsub', 'task-events', event, { partitionKey: 't-1' }),
    ).rejects.toBeInstanceOf(SidecarError);
  });

  it('throws a SidecarError when the sidecar is down', async () => {
    server.use(
      http.get('http://127.0.0.1:43599/v1.0/metadata', () => HttpResponse.json({ id: 'mock' })),
      http.post('http://127.0.0.1:43599/v1.0/publish/*', () => HttpResponse.error()),
    );
    const sidecar = createSidecar({ httpPort: 43599, apiToken: 'tok-1' });
    await expect(
      sidecar.publishCloudEvent('kafka-pubsub', 'task-events', event, { partitionKey: 't-1' }),
    ).rejects.toThrow(/publish to kafka-pubsub\/task-events failed/);
  });

  it('refuses to be created without an API token', () => {
    expect(() => createSidecar({ httpPort: 3500, apiToken: '' })).toThrow(/DAPR_API_TOKEN/);
  });
});
