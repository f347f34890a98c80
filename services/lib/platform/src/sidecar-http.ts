import { SidecarError, type SidecarOptions } from './sidecar-client.ts';

/** A reminder as registered with the sidecar: one-shot at `dueTime` unless `period` is set. */
export interface ReminderSpec {
  /** When it fires: an instant (sent as RFC 3339 UTC) or a Go/ISO 8601 duration string. */
  dueTime: Date | string;
  /** Leave unset for one-shot reminders: recurrence is computed by the app (REFERENCE.md). */
  period?: string;
  /** Comes back, as JSON, in the reminder callback's body (`data`). */
  data?: unknown;
}

/** One operation of an actor state transaction. */
export type ActorStateOperation =
  | { operation: 'upsert'; key: string; value: unknown }
  | { operation: 'delete'; key: string };

/** The answer of an output binding call: the sidecar's status and the target's answer body. */
export interface BindingResult {
  status: number;
  body: string;
}

/**
 * The sidecar APIs the Dapr JS SDK gets wrong or does not cover, over plain `fetch`: actor state,
 * reminders and method calls, output bindings, and the outbound health probe. Every non-success
 * answer throws a SidecarError naming the call and the sidecar's status and body.
 *
 * Why not the SDK here: its actor client lower-cases `dueTime` before sending it
 * (`2026-12-01T09:00:00Z` becomes `2026-12-01t09:00:00z`, which is no RFC 3339 instant), invokes
 * methods with POST, and returns errors as values; it also polls `/v1.0/metadata` on first use.
 */
export interface SidecarHttp {
  /** An actor's state under `key`, or undefined when there is none (the sidecar answers 204). */
  getActorState<T>(type: string, id: string, key: string): Promise<T | undefined>;
  /** Applies the operations in one transaction; only while the actor is active on this host. */
  saveActorState(type: string, id: string, operations: ActorStateOperation[]): Promise<void>;
  /** Creates or replaces a reminder (`PUT .../reminders/{name}`, 204). */
  registerReminder(type: string, id: string, name: string, reminder: ReminderSpec): Promise<void>;
  /** The registered reminder, or undefined when there is none. */
  getReminder(type: string, id: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** Deletes a reminder; deleting one that does not exist succeeds. */
  deleteReminder(type: string, id: string, name: string): Promise<void>;
  /** Calls an actor method through the sidecar (placement finds the host); returns its JSON answer. */
  invokeActor<T = unknown>(type: string, id: string, method: string, body: unknown): Promise<T>;
  /** Invokes an output binding (`POST /v1.0/bindings/{name}`). Throws unless the sidecar answers 2xx. */
  invokeBinding(
    name: string,
    operation: string,
    data: unknown,
    metadata?: Record<string, string>,
  ): Promise<BindingResult>;
  /** True when the sidecar's components are loaded (`GET /v1.0/healthz/outbound` is 204). */
  outboundHealthy(): Promise<boolean>;
}

const seg = encodeURIComponent;

/**
 * @example
 * const dapr = createSidecarHttp({ httpPort: 3501, apiToken: env.DAPR_API_TOKEN });
 * await dapr.registerReminder('TaskReminder', taskId, 'due', { dueTime: new Date(remindAt), data: { occurrence } });
 */
export function createSidecarHttp(options: SidecarOptions): SidecarHttp {
  if (!options.apiToken) throw new Error('createSidecarHttp: DAPR_API_TOKEN is empty');
  const base = `http://${options.host ?? '127.0.0.1'}:${options.httpPort}/v1.0`;
  const token = options.apiToken;

  async function call(operation: string, method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          'dapr-api-token': token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new SidecarError(operation, err);
    }
    return res;
  }

  async function fail(operation: string, res: Response): Promise<never> {
    const text = (await res.text().catch(() => '')).slice(0, 500);
    throw new SidecarError(operation, new Error(`status ${res.status}${text ? `: ${text}` : ''}`));
  }

  const actorPath = (type: string, id: string) => `/actors/${seg(type)}/${seg(id)}`;

  return {
    async getActorState<T>(type: string, id: string, key: string) {
      const op = `get state ${type}/${id}/${key}`;
      const res = await call(op, 'GET', `${actorPath(type, id)}/state/${seg(key)}`);
      if (res.status === 204 || res.status === 404) return undefined;
      if (res.status !== 200) return fail(op, res);
      const text = await res.text();
      return text === '' ? undefined : (JSON.parse(text) as T);
    },
    async saveActorState(type, id, operations) {
      const op = `save state ${type}/${id}`;
      const body = operations.map((o) =>
        o.operation === 'upsert'
          ? { operation: 'upsert', request: { key: o.key, value: o.value } }
          : { operation: 'delete', request: { key: o.key } },
      );
      const res = await call(op, 'POST', `${actorPath(type, id)}/state`, body);
      if (res.status !== 204 && res.status !== 200) return fail(op, res);
    },
    async registerReminder(type, id, name, reminder) {
      const op = `register reminder ${type}/${id}/${name}`;
      const dueTime = reminder.dueTime instanceof Date ? reminder.dueTime.toISOString() : reminder.dueTime;
      const body: Record<string, unknown> = { dueTime };
      if (reminder.period !== undefined) body.period = reminder.period;
      if (reminder.data !== undefined) body.data = reminder.data;
      const res = await call(op, 'PUT', `${actorPath(type, id)}/reminders/${seg(name)}`, body);
      if (res.status !== 204 && res.status !== 200) return fail(op, res);
    },
    async getReminder(type, id, name) {
      const op = `get reminder ${type}/${id}/${name}`;
      const res = await call(op, 'GET', `${actorPath(type, id)}/reminders/${seg(name)}`);
      if (res.status === 404 || res.status === 204) return undefined;
      if (res.status !== 200) return fail(op, res);
      return (await res.json()) as Record<string, unknown>;
    },
    async deleteReminder(type, id, name) {
      const op = `delete reminder ${type}/${id}/${name}`;
      const res = await call(op, 'DELETE', `${actorPath(type, id)}/reminders/${seg(name)}`);
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) return fail(op, res);
    },
    async invokeActor<T>(type: string, id: string, method: string, body: unknown) {
      const op = `invoke ${type}/${id}.${method}`;
      const res = await call(op, 'PUT', `${actorPath(type, id)}/method/${seg(method)}`, body);
      if (res.status !== 200) return fail(op, res);
      const text = await res.text();
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    async invokeBinding(name, operation, data, metadata = {}) {
      const op = `binding ${name}.${operation}`;
      const res = await call(op, 'POST', `/bindings/${seg(name)}`, { operation, data, metadata });
      if (res.status < 200 || res.status > 299) return fail(op, res);
      return { status: res.status, body: await res.text() };
    },
    async outboundHealthy() {
      try {
        const res = await fetch(`${base}/healthz/outbound`, { headers: { 'dapr-api-token': token } });
        await res.body?.cancel();
        return res.status === 204;
      } catch {
        return false;
      }
    },
  };
}
