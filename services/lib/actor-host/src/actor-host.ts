import { timingSafeEqual } from 'node:crypto';
import { type Logger, requireSidecarToken, type Sidecar } from '@todo/platform';
import { type Context, Hono } from 'hono';
import type { Actor, ActorContext, ActorType } from './actor.ts';
import { createTurnQueue } from './turn-queue.ts';

/** The actor runtime settings daprd reads once from `GET /dapr/config`. Defaults in brackets. */
export interface ActorRuntimeConfig {
  /** An actor unused this long is deactivated [`1h`]. */
  actorIdleTimeout?: string;
  /**
   * How long a rebalance waits for calls in progress [`5s`]: under placement's 8 s dissemination
   * deadline, or a placement round waits on this host's drain and drops it (docs/dapr.md).
   */
  drainOngoingCallTimeout?: string;
  /** Wait for calls in progress before moving an actor to another host [true]. */
  drainRebalancedActors?: boolean;
}

export interface ActorHostOptions {
  types: readonly ActorType[];
  /** APP_API_TOKEN: every sidecar-facing route requires it as `dapr-api-token`. */
  appApiToken: string;
  /** The app's sidecar, for actor state and reminders. */
  sidecar: Pick<Sidecar, 'getActorState' | 'saveActorState' | 'registerReminder' | 'deleteReminder'>;
  log: Logger;
  config?: ActorRuntimeConfig;
  /**
   * When set, an actor method call must carry it as `x-actor-call-token`: any app's sidecar can
   * call any actor (placement routes it; Dapr's access control does not cover actors), so the
   * host serves only callers that know the secret, which its own app derives (task-reminder:
   * from its APP_API_TOKEN). Reminder and timer callbacks come from daprd itself.
   */
  methodCallToken?: string;
  /**
   * Turns running at once across all actors [32]; the rest wait their turn. A burst of reminders
   * (a scheduler backlog firing at once) otherwise saturates the event loop, the sidecar's app
   * health probe times out, and daprd unregisters the actor types mid-burst.
   */
  maxConcurrentTurns?: number;
  /**
   * Actor instances kept in memory at most [100,000]; past it the least recently used is dropped
   * (it reads its state again on its next turn). daprd keeps an actor active for an hour of
   * idleness, so without a bound the host's memory grows with every actor touched in an hour.
   */
  maxActorsInMemory?: number;
}

export interface ActorHost {
  /** The protocol routes: mount with `app.route('/', host.app)`. */
  readonly app: Hono;
  /** Actors whose instance this process holds (active in daprd, and not dropped for memory). */
  readonly activeCount: number;
}

/**
 * Runs at most `max` tasks at once; the others wait in arrival order. The waiting line is read
 * from a moving head, compacted now and then: `shift()` on a line of tens of thousands (a storm,
 * a consumer reading a backlog) showed as seconds of CPU in this function's profile.
 */
function createLimiter(max: number) {
  let running = 0;
  let waiting: ((() => void) | undefined)[] = [];
  let head = 0;
  return async function limited<T>(task: () => Promise<T>): Promise<T> {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      if (head < waiting.length) {
        const next = waiting[head];
        waiting[head] = undefined;
        head += 1;
        if (head >= 1024 && head * 2 >= waiting.length) {
          waiting = waiting.slice(head);
          head = 0;
        }
        next?.();
      }
    }
  };
}

/** The header that tells daprd the app's answer is an application error for the caller. */
const DAPR_ERROR_HEADER = 'X-Daprerrorresponseheader';

class BadBody extends Error {}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadBody('body is not JSON');
  }
}

/**
 * An actor's context: it holds its type, id and the host's sidecar and log, nothing else. The
 * state, reminders and log views are made when a turn asks for them (prototype getters, no
 * closures per actor), so an idle actor costs little: 100,000 of them each holding a child
 * logger and five closures took hundreds of MB.
 */
class HostActorContext implements ActorContext {
  readonly type: string;
  readonly id: string;
  readonly #host: Pick<ActorHostOptions, 'sidecar' | 'log'>;
  constructor(type: string, id: string, host: Pick<ActorHostOptions, 'sidecar' | 'log'>) {
    this.type = type;
    this.id = id;
    this.#host = host;
  }
  get log(): Logger {
    return this.#host.log.child({ actorType: this.type, actorId: this.id });
  }
  get state(): ActorContext['state'] {
    const { sidecar } = this.#host;
    const { type, id } = this;
    return {
      get: <T>(key: string) => sidecar.getActorState<T>(type, id, key),
      set: (key, value) => sidecar.saveActorState(type, id, [{ operation: 'upsert', key, value }]),
      delete: (key) => sidecar.saveActorState(type, id, [{ operation: 'delete', key }]),
    };
  }
  get reminders(): ActorContext['reminders'] {
    const { sidecar } = this.#host;
    const { type, id } = this;
    return {
      set: (name, reminder) => sidecar.registerReminder(type, id, name, reminder),
      delete: (name) => sidecar.deleteReminder(type, id, name),
    };
  }
}

/**
 * Serves the Dapr actor protocol (docs/dapr.md, "The actor protocol the app serves") from Hono:
 *
 * - `GET /dapr/config` → 200 with the hosted types and runtime settings;
 * - `PUT /actors/{type}/{id}/method/{method}` → 200 with the method's JSON answer, 404 for an
 *   unknown type or method, 400 for a body that is not JSON, 500 (with the Dapr error header) when
 *   the method throws;
 * - `PUT /actors/{type}/{id}/method/remind/{name}` and `.../timer/{name}` → 200 once handled;
 * - `DELETE /actors/{type}/{id}` → 200 after `onDeactivate`.
 *
 * Daprd treats any status but 200 as failure (204 included), so success is always exactly 200.
 * Calls for one actor id run one at a time, in arrival order.
 *
 * @example
 * const host = createActorHost({ types: [taskReminderType(deps)], appApiToken, sidecar, log });
 * app.route('/', host.app);
 */
export function createActorHost(options: ActorHostOptions): ActorHost {
  const types = new Map(options.types.map((t) => [t.name, t]));
  // Type → id → instance (keyed apart: a `type/id` string per actor is memory too).
  const active = new Map<string, Map<string, Actor>>();
  const queue = createTurnQueue();
  const limit = createLimiter(options.maxConcurrentTurns ?? 32);
  const { log } = options;
  const app = new Hono();
  const guard = requireSidecarToken(options.appApiToken);
  app.use('/dapr/config', guard);
  app.use('/actors/*', guard);

  app.get('/dapr/config', (c) =>
    c.json({
      entities: [...types.keys()],
      actorIdleTimeout: options.config?.actorIdleTimeout ?? '1h',
      drainOngoingCallTimeout: options.config?.drainOngoingCallTimeout ?? '5s',
      drainRebalancedActors: options.config?.drainRebalancedActors ?? true,
      reentrancy: { enabled: false },
    }),
  );

  const maxInMemory = options.maxActorsInMemory ?? 100_000;
  let inMemory = 0;
  /** The actor's instance, created on its first call; each map is in least recently used order. */
  function activate(type: ActorType, id: string): Actor {
    let ofType = active.get(type.name);
    if (!ofType) {
      ofType = new Map();
      active.set(type.name, ofType);
    }
    let actor = ofType.get(id);
    if (actor) {
      ofType.delete(id);
      ofType.set(id, actor);
      return actor;
    }
    actor = type.create(new HostActorContext(type.name, id, options));
    ofType.set(id, actor);
    inMemory += 1;
    if (inMemory > maxInMemory) {
      // The least recently used of this type goes (a turn in progress keeps its own reference).
      const oldest = ofType.keys().next().value;
      if (oldest !== undefined && oldest !== id) {
        ofType.delete(oldest);
        inMemory -= 1;
      }
    }
    return actor;
  }

  /** Runs one turn of an actor and renders its outcome with the protocol's status codes. */
  async function turn(
    c: Context,
    what: string,
    work: (actor: Actor, body: unknown) => Promise<unknown> | 'not-found',
  ): Promise<Response> {
    const typeName = c.req.param('type') ?? '';
    const id = c.req.param('id') ?? '';
    const type = types.get(typeName);
    if (!type) {
      log.warn({ actorType: typeName, actorId: id, what }, 'call for an actor type this host does not serve');
      return c.json({ error: `actor type ${typeName} is not hosted here` }, 404);
    }
    let body: unknown;
    try {
      body = await jsonBody(c);
    } catch (err) {
      log.warn({ actorType: typeName, actorId: id, what }, (err as Error).message);
      return c.json({ error: (err as Error).message }, 400);
    }
    let found = true;
    try {
      const result = await queue.run(`${typeName}/${id}`, () =>
        limit(async () => {
          const outcome = work(activate(type, id), body);
          if (outcome === 'not-found') {
            found = false;
            return undefined;
          }
          return outcome;
        }),
      );
      if (!found) {
        log.warn({ actorType: typeName, actorId: id, what }, 'unknown actor method');
        return c.json({ error: `${typeName} has no ${what}` }, 404);
      }
      return c.json(result ?? null, 200);
    } catch (err) {
      log.error({ err, actorType: typeName, actorId: id, what }, 'actor call failed');
      c.header(DAPR_ERROR_HEADER, 'true');
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 500);
    }
  }

  /** The `data` of a reminder or timer callback body (`{"data":…,"dueTime":"","period":""}`). */
  const callbackData = (body: unknown): unknown =>
    body !== null && typeof body === 'object' && 'data' in body
      ? (body as { data: unknown }).data
      : undefined;

  app.put('/actors/:type/:id/method/remind/:name', (c) =>
    turn(c, `reminder ${c.req.param('name')}`, (actor, body) =>
      actor.onReminder ? actor.onReminder(c.req.param('name'), callbackData(body)) : 'not-found',
    ),
  );
  app.put('/actors/:type/:id/method/timer/:name', (c) =>
    turn(c, `timer ${c.req.param('name')}`, (actor, body) =>
      actor.onTimer ? actor.onTimer(c.req.param('name'), callbackData(body)) : 'not-found',
    ),
  );
  const callToken = options.methodCallToken ? Buffer.from(options.methodCallToken) : undefined;
  app.put('/actors/:type/:id/method/:method', (c) => {
    const name = c.req.param('method');
    if (callToken) {
      const got = Buffer.from(c.req.header('x-actor-call-token') ?? '');
      if (got.length !== callToken.length || !timingSafeEqual(got, callToken)) {
        log.warn(
          { actorType: c.req.param('type'), method: name },
          'actor call without the caller token; refused',
        );
        c.header(DAPR_ERROR_HEADER, 'true');
        return c.json({ error: 'this actor takes calls from its own app only' }, 403);
      }
    }
    return turn(c, `method ${name}`, (actor, body) => {
      const method = Object.hasOwn(actor.methods, name) ? actor.methods[name] : undefined;
      return method ? method(body) : 'not-found';
    });
  });

  app.delete('/actors/:type/:id', async (c) => {
    const typeName = c.req.param('type');
    const id = c.req.param('id');
    if (!types.has(typeName)) return c.json({ error: `actor type ${typeName} is not hosted here` }, 404);
    const key = `${typeName}/${id}`;
    await queue.run(key, async () => {
      const actor = active.get(typeName)?.get(id);
      if (actor && active.get(typeName)?.delete(id)) inMemory -= 1;
      try {
        await actor?.onDeactivate?.();
      } catch (err) {
        log.error({ err, actorType: typeName, actorId: id }, 'onDeactivate failed');
      }
    });
    return c.body(null, 200);
  });

  return {
    app,
    get activeCount() {
      return inMemory;
    },
  };
}
