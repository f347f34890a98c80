import { AppError } from '@todo/platform';
import type { MiddlewareHandler } from 'hono';
import type { ChatApiEnv } from './env.ts';

/** One user's write allowance: `take` spends a write or throws 429 `rate_limited`. */
export interface WriteLimiter {
  take(userId: string): void;
}

/**
 * A write rate limit per user (token bucket: `perSecond` sustained, `burst` at once), shared by
 * every way in (REST, chat, MCP tools): one user's script cannot take the write path from the
 * others. Over it: 429 `rate_limited` with Retry-After. Kept in this process: with n replicas a
 * user gets up to n times the rate, which the limit's purpose (no user starves the rest) tolerates.
 */
export function createWriteLimiter(options: {
  perSecond: number;
  burst: number;
  now?: () => number;
}): WriteLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(user) {
      const t = now();
      const b = buckets.get(user) ?? { tokens: options.burst, at: t };
      b.tokens = Math.min(options.burst, b.tokens + ((t - b.at) / 1000) * options.perSecond);
      b.at = t;
      if (b.tokens < 1) {
        buckets.set(user, b);
        throw new AppError('rate_limited', `at most ${options.perSecond} writes a second; slow down`, {
          retryAfter: (1 - b.tokens) / options.perSecond,
        });
      }
      b.tokens -= 1;
      // Re-inserted, so the oldest user is first: the map stays bounded.
      buckets.delete(user);
      buckets.set(user, b);
      if (buckets.size > 100_000) buckets.delete(buckets.keys().next().value as string);
    },
  };
}

/** The limiter on every request that writes (any method but GET and HEAD). */
export function writeRateLimit(limiter: WriteLimiter): MiddlewareHandler<ChatApiEnv> {
  return async function rateLimit(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') limiter.take(c.get('userId'));
    await next();
  };
}
