import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SidecarError } from './sidecar-client.ts';
import { createSidecarHttp } from './sidecar-http.ts';
import { MOCK_SIDECAR_PORT, recordingSidecar } from './sidecar-mock.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const dapr = () => createSidecarHttp({ httpPort: MOCK_SIDECAR_PORT, apiToken: 'tok-1' });

describe('createSidecarHttp', () => {
  it('registers a reminder with an RFC 3339 UTC dueTime, unchanged (the SDK lower-cases it)', async () => {
    const mock = recordingSidecar();
    server.use(...mock.handlers);
    await dapr().registerReminder('TaskReminder', 't/1', 'due', {
      dueTime: new Date('2026-12-01T09:00:00Z'),
      data: { occurrence: 'x' },
    });
    const [call] = mock.calls;
    expect(call?.method).toBe('PUT');
    expect(call?.path).toBe('/v1.0/actors/TaskReminder/t%2F1/reminders/due');
    expect(call?.headers.get('dapr-api-token')).toBe('tok-1');
    expect(JSON.parse(call?.body ?? '')).toEqual({
      dueTime: '2026-12-01T09:00:00.000Z',
      data: { occurrence: 'x' },
    });
  });

  it('sends state as one transaction and reads an empty key (204) as undefined', async () => {
    const mock = recordingSidecar();
    server.use(...mock.handlers);
    await dapr().saveActorState('A', '1', [
      { operation: 'upsert', key: 'k', value: { n: 1 } },
      { operation: 'delete', key: 'old' },
    ]);
    expect(JSON.parse(mock.calls[0]?.body ?? '')).toEqual([
      { operation: 'upsert', request: { key: 'k', value: { n: 1 } } },
      { operation: 'delete', request: { key: 'old' } },
    ]);
    expect(await dapr().getActorState('A', '1', 'k')).toBeUndefined();
  });

  it('treats deleting a reminder that does not exist as success', async () => {
    const mock = recordingSidecar(() => new HttpResponse(null, { status: 404 }));
    server.use(...mock.handlers);
    await expect(dapr().deleteReminder('A', '1', 'due')).resolves.toBeUndefined();
    expect(await dapr().getReminder('A', '1', 'due')).toBeUndefined();
  });

  it('throws a SidecarError with the status and body on failure, and on anything but 200 from a method', async () => {
    const mock = recordingSidecar(() =>
      HttpResponse.json({ errorCode: 'ERR_ACTOR_INVOKE_METHOD' }, { status: 500 }),
    );
    server.use(...mock.handlers);
    const failing = dapr().invokeActor('A', '1', 'apply', {});
    await expect(failing).rejects.toBeInstanceOf(SidecarError);
    await expect(dapr().invokeActor('A', '1', 'apply', {})).rejects.toThrow(
      /status 500: .*ERR_ACTOR_INVOKE_METHOD/,
    );
    server.use(
      http.put('http://127.0.0.1:43500/v1.0/actors/*', () => new HttpResponse(null, { status: 204 })),
    );
    await expect(dapr().invokeActor('A', '1', 'apply', {})).rejects.toThrow(/status 204/);
  });

  it('posts a binding request and reports the outbound health', async () => {
    const mock = recordingSidecar(() => new HttpResponse('ok', { status: 200 }));
    server.use(
      http.get('http://127.0.0.1:43500/v1.0/healthz/outbound', () => new HttpResponse(null, { status: 204 })),
      ...mock.handlers,
    );
    expect(await dapr().invokeBinding('hook', 'post', { a: 1 }, { 'X-Id': '7' })).toEqual({
      status: 200,
      body: 'ok',
    });
    expect(JSON.parse(mock.calls[0]?.body ?? '')).toEqual({
      operation: 'post',
      data: { a: 1 },
      metadata: { 'X-Id': '7' },
    });
    expect(await dapr().outboundHealthy()).toBe(true);
    server.use(http.get('http://127.0.0.1:43500/v1.0/healthz/outbound', () => HttpResponse.error()));
    expect(await dapr().outboundHealthy()).toBe(false);
  });
});
