import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError, problem } from './problem.ts';

/**
 * Guards the routes the Dapr sidecar calls (subscriptions, actor methods, bindings): the
 * request must carry `dapr-api-token` equal to the app's APP_API_TOKEN, which daprd sends on
 * every call to the app except its health probe. Anything else is a 401 problem before a handler
 * runs, so a process on the same host cannot inject events by calling the app directly.
 *
 * @example
 * app.use('/events/*', requireSidecarToken(config.APP_API_TOKEN));
 */
export function requireSidecarToken(expected: string): MiddlewareHandler {
  if (!expected) {
    throw new Error(
      'requireSidecarToken: APP_API_TOKEN is empty; the app refuses to serve the sidecar without it',
    );
  }
  const want = Buffer.from(expected);
  return async function sidecarToken(c, next) {
    const got = Buffer.from(c.req.header('dapr-api-token') ?? '');
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      return problem(
        c,
        new AppError('unauthorized', 'this route takes calls from the Dapr sidecar only (dapr-api-token)'),
      );
    }
    await next();
  };
}
