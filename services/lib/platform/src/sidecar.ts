/**
 * The app's one client of its Dapr sidecar. Every call an app makes to its daprd goes through
 * `createSidecar`: publish (single and bulk), actor state, reminders and method calls, output
 * bindings, metadata and readiness. Every call has a timeout and every failure throws a
 * `SidecarError` naming the call, so a hung or failing sidecar can never pass for success nor
 * hold an actor turn, a limiter slot or a subscription forever.
 *
 * Single publishes go through @dapr/dapr's HTTP client (it sends the CloudEvent and
 * `metadata.partitionKey` right, but returns errors as values: wrapped here to throw). The rest
 * is plain HTTP, because the SDK gets it wrong (docs/dapr.md, "The JS SDK"): its actor client
 * lower-cases `dueTime` (`2026-12-01T09:00:00Z` becomes `2026-12-01t09:00:00z`) and invokes
 * methods with POST; its bulk publish reads `failedEntries[].entryID` where daprd answers
 * `entryId`, so a partial failure would look like success. That HTTP is `node:http` over one
 * keep-alive agent, not `fetch`: a small call costs the client about half the CPU, and an actor
 * turn makes several.
 */
import http from 'node:http';
import { CommunicationProtocolEnum, DaprClient, type LoggerService, LogLevel } from '@dapr/dapr';

/**
 * How long each kind of call may take before it fails with a SidecarError, in ms. The defaults
 * are chosen against daprd's own retry budgets (dapr-components/resiliency.yaml): a client that
 * gave up before daprd did would retry what daprd may still deliver.
 */
export interface SidecarTimeouts {
  /** A publish, single or bulk [30 s]: longer than daprd's outbound pub/sub retries (4 × 5 s + backoff ≈ 24 s). */
  publish: number;
  /**
   * An actor method call [25 s]: shorter than a subscription delivery's 30 s, so a delivery
   * answers RETRY itself. daprd may try longer (TaskReminder's timeout is 300 s, since it is also
   * the only deadline of a reminder callback: docs/dapr.md); `apply` is idempotent, so a call
   * the app gave up on and daprd still delivered changes nothing twice.
   */
  invoke: number;
  /** Actor state read or transaction [5 s]. */
  state: number;
  /** Register, read or delete a reminder [10 s]. */
  reminder: number;
  /** An output binding call [40 s]: longer than daprd's binding retries (3 × 10 s + backoff ≈ 32 s). */
  binding: number;
  /** Metadata and health probes [2 s]. */
  probe: number;
}

export const DEFAULT_SIDECAR_TIMEOUTS: Readonly<SidecarTimeouts> = {
  publish: 30_000,
  invoke: 25_000,
  state: 5_000,
  reminder: 10_000,
  binding: 40_000,
  probe: 2_000,
};

/** Where the app's own sidecar listens and the token it expects (DAPR_API_TOKEN). */
export interface SidecarOptions {
  /** The sidecar's HTTP port (DAPR_HTTP_PORT). */
  httpPort: number | string;
  /** Sent as `dapr-api-token` on every call; daprd answers 401 without it. */
  apiToken: string;
  /** Defaults to 127.0.0.1: the sidecar only listens on loopback. */
  host?: string;
  /** The pub/sub component events go through [`kafka-pubsub`]. */
  pubsub?: string;
  timeouts?: Partial<SidecarTimeouts>;
}

/** The failure of a call to the sidecar: which call, and the sidecar's status when it answered. */
export class SidecarError extends Error {
  readonly operation: string;
  /** The HTTP status daprd answered; undefined when it did not answer (refused, timed out). */
  readonly status: number | undefined;
  constructor(operation: string, cause: unknown, status?: number) {
    super(`dapr sidecar: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'SidecarError';
    this.operation = operation;
    this.status = status;
  }
}

/** One event of a bulk publish: `id` names it in the answer; `partitionKey` is its Kafka key. */
export interface BulkEntry {
  id: string;
  event: object;
  partitionKey: string;
}

/** A reminder as registered with the sidecar: one-shot at `dueTime` unless `period` is set. */
export interface ReminderSpec {
  /** When it fires: an instant (sent as RFC 3339 UTC) or a Go/ISO 8601 duration string. */
  dueTime: Date | string;
  /** Leave unset for one-shot reminders: recurrence is computed by the app (docs/dapr.md). */
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

/** What `GET /v1.0/metadata` tells about the sidecar (the fields the apps use). */
export interface SidecarMetadata {
  id: string;
  /** Present on a sidecar whose app hosts actors, or that calls them. */
  actorRuntime?: {
    runtimeStatus?: string;
    /** True once this host's actor types are registered with placement and disseminated. */
    hostReady?: boolean;
    /** `placement: connected` or `placement: disconnected`. */
    placement?: string;
    activeActors?: { type: string; count: number }[];
  };
  subscriptions?: { pubsubname: string; topic: string }[];
  components?: { name: string; type: string }[];
}

export interface Sidecar {
  /**
   * Publishes a finished CloudEvent as is (`application/cloudevents+json`): the envelope is
   * ours, Dapr only adds trace context. `partitionKey` is the Kafka key.
   */
  publish(topic: string, event: object, options: { partitionKey: string }): Promise<void>;
  /**
   * Publishes several finished CloudEvents to one topic in one call (the Kafka component sends
   * them as one batch). Resolves with the entries that failed, by id, and their errors; throws
   * when the whole call failed.
   */
  publishBulk(
    topic: string,
    entries: readonly BulkEntry[],
    options?: {
      /**
       * Publish each entry's JSON as the Kafka message itself, with no CloudEvent handling
       * (`metadata.rawPayload=true`): how a message that is not a valid event of ours goes to a
       * dead-letter topic as it came.
       */
      raw?: boolean;
    },
  ): Promise<Map<string, string>>;
  /** An actor's state under `key`, or undefined when there is none (the sidecar answers 204). */
  getActorState<T>(type: string, id: string, key: string): Promise<T | undefined>;
  /** Applies the operations in one transaction; only while the actor is active on this host. */
  saveActorState(type: string, id: string, operations: readonly ActorStateOperation[]): Promise<void>;
  /** Creates or replaces a reminder (`PUT .../reminders/{name}`, 204). */
  registerReminder(type: string, id: string, name: string, reminder: ReminderSpec): Promise<void>;
  /** The registered reminder, or undefined when there is none. */
  getReminder(type: string, id: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** Deletes a reminder; deleting one that does not exist succeeds. */
  deleteReminder(type: string, id: string, name: string): Promise<void>;
  /**
   * Calls an actor method through the sidecar (placement finds the host); returns its JSON
   * answer. `headers` reach the actor's host as sent (daprd passes the caller's headers through).
   */
  invokeActor<T = unknown>(
    type: string,
    id: string,
    method: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<T>;
  /** Invokes an output binding (`POST /v1.0/bindings/{name}`); throws unless daprd answers 2xx. */
  invokeBinding(
    name: string,
    operation: string,
    data: unknown,
    metadata?: Record<string, string>,
  ): Promise<BindingResult>;
  /** The sidecar's metadata (its actor runtime's state among it). */
  metadata(): Promise<SidecarMetadata>;
  /** True when the sidecar's components are loaded (`GET /v1.0/healthz/outbound` is 204). */
  outboundHealthy(): Promise<boolean>;
  /**
   * Makes daprd exit at once (`POST /v1.0/shutdown` with `dapr-force-shutdown`), for a supervisor
   * to start a fresh one: the way out when its actor runtime is stuck (docs/dapr.md).
   */
  forceShutdown(): Promise<void>;
  /**
   * Resolves once the sidecar answers its metadata endpoint, polling every 500 ms; rejects
   * with a SidecarError after `timeoutMs` [60 s].
   */
  waitUntilReady(timeoutMs?: number): Promise<void>;
}

// The SDK logs its own failures to the console; ours are thrown and logged by the caller, once.
const quiet: LoggerService = { error() {}, warn() {}, info() {}, verbose() {}, debug() {} };
const seg = encodeURIComponent;

/** The sidecar's answer to a call, its body read in full (so the socket went back to the agent). */
interface Answer {
  status: number;
  /** The body as UTF-8 text; '' when there is none. */
  body: string;
}

/** Rejects with a SidecarError when `work` takes longer than `ms` (the SDK takes no signal). */
function withTimeout<T>(operation: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SidecarError(operation, new Error(`no answer within ${ms} ms`))), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * @example
 * const dapr = createSidecar({ httpPort: 3501, apiToken: env.DAPR_API_TOKEN });
 * await dapr.registerReminder('TaskReminder', taskId, 'due', { dueTime: new Date(remindAt), data: { occurrence } });
 */
export function createSidecar(options: SidecarOptions): Sidecar {
  if (!options.apiToken) throw new Error('createSidecar: DAPR_API_TOKEN is empty');
  const host = options.host ?? '127.0.0.1';
  const token = options.apiToken;
  const pubsub = options.pubsub ?? 'kafka-pubsub';
  const timeouts: SidecarTimeouts = { ...DEFAULT_SIDECAR_TIMEOUTS, ...options.timeouts };
  let sdk: DaprClient | undefined;
  const client = () => {
    sdk ??= new DaprClient({
      daprHost: host,
      daprPort: String(options.httpPort),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      daprApiToken: token,
      logger: { level: LogLevel.Error, service: quiet },
    });
    return sdk;
  };

  // One agent per sidecar, keeping its connections open between calls (Node's own global agent
  // does too, with the same idle `timeout` and `lifo`; `lifo` reuses the warmest socket so the
  // others can time out). maxSockets is a bound on file descriptors, not a queue we want: calls
  // waiting for a socket would spend their timeout in that queue, and a few slow actor calls
  // (up to `invoke`'s 25 s) must not hold up state reads behind them. Bulk subscriptions run up
  // to 64 calls at once per route, so 256 is never reached in normal work.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 5_000, scheduling: 'lifo' });

  /**
   * One request to the sidecar; resolves once the whole answer is read. `timeoutMs` bounds the
   * request and the reading of the answer; when it expires the request is destroyed.
   */
  function call(
    operation: string,
    timeoutMs: number,
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (err: unknown, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (answer) resolve(answer);
        else reject(new SidecarError(operation, err));
      };
      try {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = http.request({
          host,
          port: options.httpPort,
          path: `/v1.0${path}`,
          method,
          agent,
          headers: {
            ...extraHeaders,
            'dapr-api-token': token,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': payload.length }),
          },
        });
        timer = setTimeout(() => {
          settle(new Error(`no answer within ${timeoutMs} ms`));
          req.destroy();
        }, timeoutMs);
        req.on('error', settle);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            settle(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', settle);
          res.on('close', () => {
            if (!res.complete) settle(new Error('the answer was cut short'));
          });
        });
        req.end(payload);
      } catch (err) {
        // http.request throws at once on a path or header it cannot send.
        settle(err);
      }
    });
  }

  function fail(operation: string, res: Answer): never {
    const text = res.body.slice(0, 500);
    throw new SidecarError(
      operation,
      new Error(`status ${res.status}${text ? `: ${text}` : ''}`),
      res.status,
    );
  }

  /** Reads a body that may be empty; a body that is not JSON is a failure of the call. */
  function json<T>(operation: string, res: Answer): T | undefined {
    if (res.body === '') return undefined;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new SidecarError(
        operation,
        new Error(`answer is not JSON: ${res.body.slice(0, 200)}`),
        res.status,
      );
    }
  }

  /** A read that may find nothing: 204 or 404 is undefined, 200 its JSON, anything else a failure. */
  function optionalJson<T>(operation: string, res: Answer): T | undefined {
    if (res.status === 204 || res.status === 404) return undefined;
    if (res.status !== 200) return fail(operation, res);
    return json<T>(operation, res);
  }

  /** A call that answers nothing: any status in `ok` is success, anything else a failure. */
  function succeed(operation: string, res: Answer, ok: readonly number[] = [200, 204]): void {
    if (!ok.includes(res.status)) fail(operation, res);
  }

  const actorPath = (type: string, id: string) => `/actors/${seg(type)}/${seg(id)}`;
  const reminderPath = (type: string, id: string, name: string) =>
    `${actorPath(type, id)}/reminders/${seg(name)}`;

  const sidecar: Sidecar = {
    async publish(topic, event, { partitionKey }) {
      const operation = `publish to ${pubsub}/${topic}`;
      const result = await withTimeout(
        operation,
        timeouts.publish,
        client()
          .pubsub.publish(pubsub, topic, event, {
            contentType: 'application/cloudevents+json',
            metadata: { partitionKey },
          })
          .catch((err: unknown) => ({ error: err instanceof Error ? err : new Error(String(err)) })),
      );
      if (result.error) throw new SidecarError(operation, result.error);
    },

    async publishBulk(topic, entries, options = {}) {
      const operation = `bulk publish to ${pubsub}/${topic}`;
      if (entries.length === 0) return new Map();
      const res = await call(
        operation,
        timeouts.publish,
        'POST',
        `/publish/bulk/${seg(pubsub)}/${seg(topic)}${options.raw ? '?metadata.rawPayload=true' : ''}`,
        entries.map((e) => ({
          entryId: e.id,
          event: e.event,
          contentType: options.raw ? 'application/json' : 'application/cloudevents+json',
          metadata: { partitionKey: e.partitionKey },
        })),
      );
      if (res.status === 204 || res.status === 200) return new Map();
      const text = res.body;
      let failed: { entryId?: string; error?: string }[] | undefined;
      try {
        failed = (JSON.parse(text) as { failedEntries?: { entryId?: string; error?: string }[] })
          .failedEntries;
      } catch {
        failed = undefined;
      }
      const known = new Set(entries.map((e) => e.id));
      const out = new Map<string, string>();
      for (const f of failed ?? [])
        if (f.entryId && known.has(f.entryId)) out.set(f.entryId, f.error ?? `status ${res.status}`);
      // An answer that names none of our entries cannot be trusted as a partial success.
      if (out.size === 0)
        throw new SidecarError(
          operation,
          new Error(`status ${res.status}: ${text.slice(0, 300)}`),
          res.status,
        );
      return out;
    },

    async getActorState<T>(type: string, id: string, key: string) {
      const op = `get state ${type}/${id}/${key}`;
      return optionalJson<T>(
        op,
        await call(op, timeouts.state, 'GET', `${actorPath(type, id)}/state/${seg(key)}`),
      );
    },

    async saveActorState(type, id, operations) {
      const op = `save state ${type}/${id}`;
      const body = operations.map((o) =>
        o.operation === 'upsert'
          ? { operation: 'upsert', request: { key: o.key, value: o.value } }
          : { operation: 'delete', request: { key: o.key } },
      );
      succeed(op, await call(op, timeouts.state, 'POST', `${actorPath(type, id)}/state`, body));
    },

    async registerReminder(type, id, name, reminder) {
      const op = `register reminder ${type}/${id}/${name}`;
      const dueTime = reminder.dueTime instanceof Date ? reminder.dueTime.toISOString() : reminder.dueTime;
      const body: Record<string, unknown> = { dueTime };
      if (reminder.period !== undefined) body.period = reminder.period;
      if (reminder.data !== undefined) body.data = reminder.data;
      succeed(op, await call(op, timeouts.reminder, 'PUT', reminderPath(type, id, name), body));
    },

    async getReminder(type, id, name) {
      const op = `get reminder ${type}/${id}/${name}`;
      const res = await call(op, timeouts.reminder, 'GET', reminderPath(type, id, name));
      return optionalJson<Record<string, unknown>>(op, res);
    },

    async deleteReminder(type, id, name) {
      const op = `delete reminder ${type}/${id}/${name}`;
      // Deleting a reminder that is not there (404) is what the caller wanted.
      succeed(op, await call(op, timeouts.reminder, 'DELETE', reminderPath(type, id, name)), [200, 204, 404]);
    },

    async invokeActor<T>(
      type: string,
      id: string,
      method: string,
      body: unknown,
      headers?: Record<string, string>,
    ) {
      const op = `invoke ${type}/${id}.${method}`;
      const res = await call(
        op,
        timeouts.invoke,
        'PUT',
        `${actorPath(type, id)}/method/${seg(method)}`,
        body,
        headers,
      );
      if (res.status !== 200) return fail(op, res);
      return json<T>(op, res) as T;
    },

    async invokeBinding(name, operation, data, metadata = {}) {
      const op = `binding ${name}.${operation}`;
      const res = await call(op, timeouts.binding, 'POST', `/bindings/${seg(name)}`, {
        operation,
        data,
        metadata,
      });
      if (res.status < 200 || res.status > 299) return fail(op, res);
      return { status: res.status, body: res.body };
    },

    async metadata() {
      const op = 'read metadata';
      const res = await call(op, timeouts.probe, 'GET', '/metadata');
      if (res.status !== 200) return fail(op, res);
      const body = json<SidecarMetadata>(op, res);
      if (!body) throw new SidecarError(op, new Error('empty answer'), res.status);
      return body;
    },

    async forceShutdown() {
      const op = 'force shutdown';
      succeed(
        op,
        await call(op, timeouts.probe, 'POST', '/shutdown', undefined, { 'dapr-force-shutdown': 'true' }),
      );
    },

    async outboundHealthy() {
      try {
        const res = await call('outbound health', timeouts.probe, 'GET', '/healthz/outbound');
        return res.status === 204;
      } catch {
        return false;
      }
    },

    async waitUntilReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        try {
          await sidecar.metadata();
          return;
        } catch (err) {
          last = err;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new SidecarError(
        'wait for the sidecar',
        new Error(`not ready after ${timeoutMs} ms: ${String(last)}`),
      );
    },
  };
  return sidecar;
}
