import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import { AppError } from './problem.ts';

export interface UserAuthOptions {
  /** AUTH_JWT_SECRET: the HS256 key. At least 32 characters. */
  secret: string;
}

/** What `requireUser` puts on the context. */
export interface UserVariables {
  userId: string;
}

const MAX_SUB = 200;

/** A user id is used in keys, events and logs: no whitespace, no control characters. */
function hasSpaceOrControl(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || /\s/u.test(ch)) return true;
  }
  return false;
}

/**
 * Requires `Authorization: Bearer <JWT>` signed HS256 with AUTH_JWT_SECRET, unexpired, with a
 * `sub` and an `exp`: the user id every query, event and actor id is scoped by
 * (`c.get('userId')`); a token that never expires is refused.
 * Anything else is a 401 problem, with `WWW-Authenticate`.
 */
export function requireUser(options: UserAuthOptions): MiddlewareHandler<{ Variables: UserVariables }> {
  if (!options.secret || options.secret.length < 32) {
    throw new Error('requireUser: AUTH_JWT_SECRET must be set and at least 32 characters');
  }
  return async function userAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
    if (!m?.[1]) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError('unauthorized', 'send Authorization: Bearer <JWT>');
    }
    let payload: Record<string, unknown>;
    try {
      payload = await verify(m[1], options.secret, { alg: 'HS256', exp: true, nbf: true, iat: false });
    } catch {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError('unauthorized', 'the bearer token is invalid or expired');
    }
    if (typeof payload.exp !== 'number') {
      throw new AppError('unauthorized', 'the bearer token has no exp; tokens must expire');
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB || hasSpaceOrControl(sub)) {
      throw new AppError('unauthorized', 'the bearer token has no usable sub (user id)');
    }
    c.set('userId', sub);
    await next();
  };
}
