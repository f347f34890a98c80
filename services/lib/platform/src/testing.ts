/**
 * `@todo/platform/testing`: one stateful fake of a Dapr sidecar for every package's unit tests
 * (msw, no socket). Publishing (single and bulk), actor state, reminders, actor method calls
 * (forwarded to the app as daprd would), output bindings, metadata and health behave like
 * daprd's HTTP API; every call is recorded so a test asserts on exactly what the app sent.
 * Never imported by production code.
 *
 * @example
 * const server = setupServer(); // beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
 * const fake = fakeSidecar({ app });
 * server.use(...fake.handlers);
 * const sidecar = createSidecar(FAKE_SIDECAR_OPTIONS);
 */
import { HttpResponse, http } from 'msw';
import type { SidecarMetadata, SidecarOptions } from './sidecar.ts';

export const FAKE_SIDECAR_PORT = 43501;
export const FAKE_SIDECAR = `http://127.0.0.1:${FAKE_SIDECAR_PORT}`;
export const FAKE_DAPR_TOKEN = 'fake-dapr-api-token-0123456789';
export const FAKE_APP_TOKEN = 'fake-app-api-token-0123456789';
/** `createSidecar(FAKE_SIDECAR_OPTIONS)` talks to the fake. */
export const FAKE_SIDECAR_OPTIONS: SidecarOptions = {
  httpPort: FAKE_SIDECAR_PORT,
  apiToken: FAKE_DAPR_TOKEN,
};

/** One request the app sent to its sidecar. */
export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** The body parsed as JSON (the raw text when it is not JSON; undefined when empty). */
  body: unknown;
}

/** One message the fake accepted for publishing, from a single or a bulk publish. */
export interface PublishedMessage {
  pubsub: string;
  topic: string;
  partitionKey: string | null;
  contentType: string | null;
  event: Record<string, unknown>;
  bulk: boolean;
}

/** A reminder as the fake holds it. */
export interface FakeReminder {
  dueTime: string;
  period?: string;
  data?: unknown;
}

/** One output binding call. */
export interface BindingCall {
  name: string;
  operation: string;
  data: unknown;
  metadata: Record<string, string>;
}

/** What the app under test serves, as daprd reaches it (Hono's `app.request`). */
export interface AppUnderTest {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * Delivers a message to an app's subscription route as daprd does (CloudEvent content type, the
 * app token unless `token` says otherwise, null for none); answers the app's status and JSON.
 */
export async function deliverTo(
  app: AppUnderTest,
  route: string,
  body: unknown,
  token: string | null = FAKE_APP_TOKEN,
): Promise<{ status: number; body: unknown }> {
  const res = await app.request(route, {
    method: 'POST',
    headers: {
      'content-type': 'application/cloudevents+json',
      ...(token === null ? {} : { 'dapr-api-token': token }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

export interface FakeSidecar {
  readonly handlers: ReturnType<typeof http.all>[];
  readonly calls: RecordedCall[];
  readonly published: PublishedMessage[];
  /** `type/id` → key → value. */
  readonly state: Map<string, Map<string, unknown>>;
  /** `type/id/name` → reminder. */
  readonly reminders: Map<string, FakeReminder>;
  readonly bindings: BindingCall[];
  /** Calls whose path starts with `prefix` (and method, if given). */
  callsTo(prefix: string, method?: string): RecordedCall[];
  /** Messages published to a topic. */
  publishedTo(topic: string): PublishedMessage[];
  /** Fires a reminder at the app as daprd does (`PUT .../method/remind/{name}`); answers the app's status. */
  fire(type: string, id: string, name: string, data?: unknown): Promise<number>;
  /** Answers every publish with this status from now on [204]. */
  publishStatus: number;
  /** When set, bulk entries it returns an error for are answered as failed entries. */
  failEntry: ((entry: { entryId: string; event: unknown }) => string | undefined) | undefined;
  /** Answers every binding call with this status [200]; a function decides per call. */
  bindingStatus: number | ((call: BindingCall) => number);
  /** Answers outbound health with this status [204]. */
  outboundStatus: number;
  /** What `GET /v1.0/metadata` answers. */
  metadata: SidecarMetadata;
  /** When set, every call waits this long before it is answered (a slow or hung sidecar). */
  delayMs: number;
  /** Forced shutdowns asked for (`POST /v1.0/shutdown`). */
  shutdowns: number;
}

const str = (v: string | readonly string[] | undefined) => String(v);

export function fakeSidecar(options: { app?: AppUnderTest; appId?: string } = {}): FakeSidecar {
  const { app } = options;
  const fake: FakeSidecar = {
    handlers: [],
    calls: [],
    published: [],
    state: new Map(),
    reminders: new Map(),
    bindings: [],
    callsTo: (prefix, method) =>
      fake.calls.filter((c) => c.path.startsWith(prefix) && (method === undefined || c.method === method)),
    publishedTo: (topic) => fake.published.filter((m) => m.topic === topic),
    async fire(type, id, name, data) {
      if (!app) throw new Error('fakeSidecar: pass { app } to fire reminders');
      const res = await app.request(`/actors/${type}/${id}/method/remind/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'dapr-api-token': FAKE_APP_TOKEN },
        body: JSON.stringify({
          data: data ?? fake.reminders.get(`${type}/${id}/${name}`)?.data,
          dueTime: '',
          period: '',
        }),
      });
      await res.body?.cancel();
      return res.status;
    },
    publishStatus: 204,
    failEntry: undefined,
    bindingStatus: 200,
    outboundStatus: 204,
    metadata: {
      id: options.appId ?? 'app-under-test',
      actorRuntime: { runtimeStatus: 'RUNNING', hostReady: true, placement: 'placement: connected' },
    },
    delayMs: 0,
    shutdowns: 0,
  };

  /** Records the call and checks the token: a response when refused, else the call. */
  async function receive(request: Request): Promise<RecordedCall | Response> {
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const call: RecordedCall = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: request.headers,
      body,
    };
    fake.calls.push(call);
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (request.headers.get('dapr-api-token') !== FAKE_DAPR_TOKEN)
      return HttpResponse.json(
        { errorCode: 'ERR_UNAUTHORIZED', message: 'invalid api token' },
        { status: 401 },
      );
    return call;
  }
  const p = (path: string) => `${FAKE_SIDECAR}/v1.0${path}`;
  const actorKey = (params: Record<string, string | readonly string[] | undefined>) =>
    `${str(params.type)}/${str(params.id)}`;
  const noContent = () => new HttpResponse(null, { status: 204 });

  fake.handlers.push(
    http.get(p('/metadata'), () => HttpResponse.json(fake.metadata)),
    http.post(p('/shutdown'), async ({ request }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      fake.shutdowns += 1;
      return noContent();
    }),
    http.get(p('/healthz/outbound'), () => new HttpResponse(null, { status: fake.outboundStatus })),
    http.get(p('/healthz'), () => new HttpResponse(null, { status: fake.outboundStatus })),
    http.get(p('/actors/:type/:id/state/:key'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      const value = fake.state.get(actorKey(params))?.get(str(params.key));
      return value === undefined ? noContent() : HttpResponse.json(value as never);
    }),
    http.post(p('/actors/:type/:id/state'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      const store = fake.state.get(actorKey(params)) ?? new Map<string, unknown>();
      fake.state.set(actorKey(params), store);
      for (const op of call.body as { operation: string; request: { key: string; value?: unknown } }[]) {
        if (op.operation === 'upsert') store.set(op.request.key, structuredClone(op.request.value));
        else store.delete(op.request.key);
      }
      return noContent();
    }),
    http.put(p('/actors/:type/:id/reminders/:name'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      fake.reminders.set(`${actorKey(params)}/${str(params.name)}`, call.body as FakeReminder);
      return noContent();
    }),
    http.get(p('/actors/:type/:id/reminders/:name'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      const r = fake.reminders.get(`${actorKey(params)}/${str(params.name)}`);
      return r ? HttpResponse.json(r as never) : new HttpResponse(null, { status: 404 });
    }),
    http.delete(p('/actors/:type/:id/reminders/:name'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      fake.reminders.delete(`${actorKey(params)}/${str(params.name)}`);
      return noContent();
    }),
    http.put(p('/actors/:type/:id/method/:method'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      if (!app) return HttpResponse.json({ errorCode: 'ERR_ACTOR_INSTANCE_MISSING' }, { status: 500 });
      // daprd passes the caller's headers through, and adds the app token.
      const passed = Object.fromEntries(
        [...request.headers].filter(([k]) => k.startsWith('x-') || k === 'traceparent'),
      );
      const res = await app.request(`/actors/${actorKey(params)}/method/${str(params.method)}`, {
        method: 'PUT',
        headers: { ...passed, 'content-type': 'application/json', 'dapr-api-token': FAKE_APP_TOKEN },
        body: JSON.stringify(call.body),
      });
      // daprd passes a 200 through and turns anything else into a 500 for the caller.
      const text = await res.text();
      return new HttpResponse(text, { status: res.status === 200 ? 200 : 500 });
    }),
    http.post(p('/publish/bulk/:pubsub/:topic'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      if (fake.publishStatus !== 204)
        return HttpResponse.json({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }, { status: fake.publishStatus });
      const entries = call.body as {
        entryId: string;
        event: Record<string, unknown>;
        contentType?: string;
        metadata?: Record<string, string>;
      }[];
      const failedEntries: { entryId: string; error: string }[] = [];
      for (const e of entries) {
        const error = fake.failEntry?.(e);
        if (error) failedEntries.push({ entryId: e.entryId, error });
        else
          fake.published.push({
            pubsub: str(params.pubsub),
            topic: str(params.topic),
            partitionKey: e.metadata?.partitionKey ?? null,
            contentType: e.contentType ?? null,
            event: e.event,
            bulk: true,
          });
      }
      return failedEntries.length > 0
        ? HttpResponse.json({ failedEntries, errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }, { status: 500 })
        : noContent();
    }),
    http.post(p('/publish/:pubsub/:topic'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      if (fake.publishStatus !== 204)
        return HttpResponse.json({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }, { status: fake.publishStatus });
      fake.published.push({
        pubsub: str(params.pubsub),
        topic: str(params.topic),
        partitionKey: call.query.get('metadata.partitionKey'),
        contentType: call.headers.get('content-type'),
        event: call.body as Record<string, unknown>,
        bulk: false,
      });
      return noContent();
    }),
    http.post(p('/bindings/:name'), async ({ request, params }) => {
      const call = await receive(request);
      if (call instanceof Response) return call;
      const body = call.body as { operation: string; data: unknown; metadata?: Record<string, string> };
      const binding: BindingCall = {
        name: str(params.name),
        operation: body.operation,
        data: body.data,
        metadata: body.metadata ?? {},
      };
      fake.bindings.push(binding);
      const status =
        typeof fake.bindingStatus === 'function' ? fake.bindingStatus(binding) : fake.bindingStatus;
      return status >= 200 && status < 300
        ? new HttpResponse('', { status })
        : HttpResponse.json(
            {
              errorCode: 'ERR_INVOKE_OUTPUT_BINDING',
              message: `error invoking output binding ${binding.name}: received status code ${status}`,
            },
            { status: 500 },
          );
    }),
  );
  return fake;
}
