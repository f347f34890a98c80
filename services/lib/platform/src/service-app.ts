import { type Env, type Handler, Hono, type MiddlewareHandler } from 'hono';
import type { Logger, RequestVariables } from './logger.ts';
import { requestContext } from './logger.ts';
import { AppError, type DependencyClassifier, onError, problem, routeNotFound } from './problem.ts';

export interface ServiceAppOptions {
  log: Logger;
  /** Failures answered 503 `dependency_unavailable` rather than 500 (e.g. `isDatabaseUnavailable`). */
  dependencies?: readonly DependencyClassifier[];
}

/**
 * The Hono app every service starts from: request ids and logs (`requestContext`), the one error
 * handler (problem+json), a problem+json 404 for unknown routes, and `GET /healthz` (the process
 * is alive; it never checks a dependency, so a restarting database does not get pods killed).
 *
 * @example
 * const app = createServiceApp({ log });
 * app.get('/readyz', readiness({ sidecar: () => sidecar.outboundHealthy() }));
 */
export function createServiceApp<E extends Env & { Variables: RequestVariables }>(
  options: ServiceAppOptions,
): Hono<E> {
  const app = new Hono<E>();
  app.onError(
    onError(
      (err, c) => (c.get('log') ?? options.log).error({ err }, 'request failed'),
      options.dependencies ?? [],
    ),
  );
  app.notFound((c) => {
    // A known path asked with a method it does not take: 405 with the methods it does.
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length === 0) return routeNotFound(c);
    c.header('Allow', allowed.join(', '));
    return problem(
      c,
      new AppError('method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(', ')}`),
    );
  });
  app.use(closeAfterRefusedBody);
  app.use(requestContext(options.log));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}

/**
 * An error answer to a request whose body was never read (a 413, a 401) says `Connection: close`:
 * the Node adapter then drains the rest for at most
 * 500 ms and closes the socket without a word, and a client that kept the connection for its
 * next request got "other side closed" for a request the app never saw (scripts/fuzz: 1 in
 * 10,000). Told to close, the client opens a new connection instead.
 */
const closeAfterRefusedBody: MiddlewareHandler = async (c, next) => {
  await next();
  // Refusals only, and cheapest test first: reading `c.req.raw.body` makes the Node adapter build
  // a full Request, which every answered request paid for when this ran first (it showed in the
  // apps' profiles). A request whose body (a stream, not an announced empty one) was never read:
  if (c.res.status < 400 || c.req.raw.bodyUsed || c.req.header('content-length') === '0') return;
  if (c.req.raw.body !== null) {
    try {
      c.res.headers.set('Connection', 'close');
    } catch {
      // Immutable headers (a response passed through as is): left as they are.
    }
  }
};

const patterns = new WeakMap<object, Map<string, RegExp>>();

/** The methods the app's routes take on a path (middleware aside), for 405 and `Allow`. */
export function allowedMethods(
  app: { routes: readonly { method: string; path: string }[] },
  path: string,
): string[] {
  let compiled = patterns.get(app);
  if (!compiled) {
    compiled = new Map();
    patterns.set(app, compiled);
  }
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    let re = compiled.get(route.path);
    if (!re) {
      const source = route.path
        .split('/')
        .map((part) =>
          part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      re = new RegExp(`^${source}/?$`);
      compiled.set(route.path, re);
    }
    if (re.test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** One readiness check: resolves true (or nothing) when ready; false, a string (why) or a throw when not. */
export type ReadinessCheck = () => Promise<boolean | string | undefined> | Promise<void>;

/**
 * `GET /readyz`: runs every check at once, each within `timeoutMs` [2 s], and answers 200
 * `{ status: 'ready', checks }` or 503 problem+json `dependency_unavailable` with the same
 * `checks` (name → true, or why not), so an orchestrator stops routing to an app that cannot
 * serve, and a person sees which dependency is missing.
 */
export function readiness(checks: Record<string, ReadinessCheck>, timeoutMs = 2_000): Handler {
  return async function ready(c) {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<[string, true | string]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const outcome = await Promise.race([
            check(),
            new Promise<string>((resolve) => {
              timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
            }),
          ]);
          if (outcome === false) return [name, 'not ready'];
          if (typeof outcome === 'string') return [name, outcome];
          return [name, true];
        } catch (err) {
          return [name, (err instanceof Error ? err.message : String(err)).slice(0, 200)];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const byName = Object.fromEntries(results);
    const down = results.filter(([, r]) => r !== true).map(([n]) => n);
    if (down.length === 0) return c.json({ status: 'ready', checks: byName });
    return problem(
      c,
      new AppError('dependency_unavailable', `not ready: ${down.join(', ')}`, {
        extra: { checks: byName },
        retryAfter: 5,
      }),
    );
  };
}
