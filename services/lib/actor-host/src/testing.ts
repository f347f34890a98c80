/**
 * A stateful fake of a Dapr sidecar for unit tests (msw, no socket): actor state, reminders,
 * publishing and actor invocation behave like daprd's HTTP API, and every call is recorded so a
 * test asserts on exactly what the app sent. Imported as `@todo/actor-host/testing`, never by
 * production code.
 */
import { HttpResponse, http } from 'msw';

export const FAKE_SIDECAR_PORT = 43501;
export const FAKE_SIDECAR = `http://127.0.0.1:${FAKE_SIDECAR_PORT}`;
export const FAKE_DAPR_TOKEN = 'fake-dapr-api-token';
export const FAKE_APP_TOKEN = 'fake-app-api-token';

/** One request the app sent to its sidecar. */
export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  /** The body parsed as JSON (undefined when empty). */
  body: unknown;
}

/** A reminder as the fake sidecar holds it. */
export interface FakeReminder {
  dueTime: string;
  period?: string;
  data?: unknown;
}

export interface FakeSidecar {
  readonly handlers: ReturnType<typeof http.all>[];
  readonly calls: RecordedCall[];
  /** `type/id` → key → value. */
  readonly state: Map<string, Map<string, unknown>>;
  /** `type/id/name` → reminder. */
  readonly reminders: Map<string, FakeReminder>;
  /** Calls whose path starts with `prefix` (and method, if given). */
  callsTo(prefix: string, method?: string): RecordedCall[];
  /** Answers publish calls with this status from now on (204 = success). */
  publishStatus: number;
}

/**
 * @param app Where actor method calls are forwarded, as daprd would: the app's own `request`
 *   (Hono's `app.request`), with the app token.
 */
export function fakeSidecar(app?: {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}): FakeSidecar {
  const calls: RecordedCall[] = [];
  const state = new Map<string, Map<string, unknown>>();
  const reminders = new Map<string, FakeReminder>();
  const fake: FakeSidecar = {
    handlers: [],
    calls,
    state,
    reminders,
    publishStatus: 204,
    callsTo: (prefix, method) =>
      calls.filter((c) => c.path.startsWith(prefix) && (method === undefined || c.method === method)),
  };

  const record = async (request: Request): Promise<RecordedCall> => {
    const url = new URL(request.url);
    const text = await request.text();
    const call: RecordedCall = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    calls.push(call);
    return call;
  };
  const unauthorized = (request: Request) =>
    request.headers.get('dapr-api-token') !== FAKE_DAPR_TOKEN
      ? HttpResponse.json({ errorCode: 'ERR_UNAUTHORIZED' }, { status: 401 })
      : undefined;
  const p = (path: string) => `${FAKE_SIDECAR}/v1.0${path}`;
  const str = (v: string | readonly string[] | undefined) => String(v);

  fake.handlers.push(
    http.get(p('/metadata'), () => HttpResponse.json({ id: 'fake', components: [] })),
    http.get(p('/healthz/outbound'), () => new HttpResponse(null, { status: 204 })),
    http.get(p('/actors/:type/:id/state/:key'), async ({ request, params }) => {
      await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      const value = state.get(`${str(params.type)}/${str(params.id)}`)?.get(str(params.key));
      return value === undefined ? new HttpResponse(null, { status: 204 }) : HttpResponse.json(value);
    }),
    http.post(p('/actors/:type/:id/state'), async ({ request, params }) => {
      const call = await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      const key = `${str(params.type)}/${str(params.id)}`;
      const store = state.get(key) ?? new Map<string, unknown>();
      state.set(key, store);
      for (const op of call.body as { operation: string; request: { key: string; value?: unknown } }[]) {
        if (op.operation === 'upsert') store.set(op.request.key, structuredClone(op.request.value));
        else store.delete(op.request.key);
      }
      return new HttpResponse(null, { status: 204 });
    }),
    http.put(p('/actors/:type/:id/reminders/:name'), async ({ request, params }) => {
      const call = await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      reminders.set(`${str(params.type)}/${str(params.id)}/${str(params.name)}`, call.body as FakeReminder);
      return new HttpResponse(null, { status: 204 });
    }),
    http.delete(p('/actors/:type/:id/reminders/:name'), async ({ request, params }) => {
      await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      reminders.delete(`${str(params.type)}/${str(params.id)}/${str(params.name)}`);
      return new HttpResponse(null, { status: 204 });
    }),
    http.put(p('/actors/:type/:id/method/:method'), async ({ request, params }) => {
      const call = await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      if (!app) return HttpResponse.json({ errorCode: 'ERR_ACTOR_INSTANCE_MISSING' }, { status: 500 });
      const res = await app.request(
        `/actors/${str(params.type)}/${str(params.id)}/method/${str(params.method)}`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'dapr-api-token': FAKE_APP_TOKEN },
          body: JSON.stringify(call.body),
        },
      );
      // daprd passes a 200 through and turns anything else into a 500 for the caller.
      const text = await res.text();
      return new HttpResponse(text, { status: res.status === 200 ? 200 : 500 });
    }),
    http.post(p('/publish/:pubsub/:topic'), async ({ request }) => {
      await record(request);
      const denied = unauthorized(request);
      if (denied) return denied;
      return fake.publishStatus === 204
        ? new HttpResponse(null, { status: 204 })
        : HttpResponse.json({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }, { status: fake.publishStatus });
    }),
  );
  return fake;
}
