import type { webcrypto } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from './problem.ts';

/** How user tokens are checked. Defaults in brackets; every app reads them from AUTH_JWT_*. */
export interface UserAuthOptions {
  /** AUTH_JWT_SECRET: the HS256 key. At least 32 characters. */
  secret: string;
  /** AUTH_JWT_ISSUER: the `iss` a token must name [`todo-chatbot`]. */
  issuer?: string;
  /** AUTH_JWT_AUDIENCE: the `aud` a token must name [`todo-chatbot`]. */
  audience?: string;
  /** AUTH_JWT_MAX_LIFETIME_SECONDS: the longest `exp - iat` taken [86,400: a day]. */
  maxLifetimeSeconds?: number;
  /** Clock skew tolerated on `exp`, `nbf` and `iat` [30 s]. */
  clockToleranceSeconds?: number;
}

export const DEFAULT_JWT = {
  issuer: 'todo-chatbot',
  audience: 'todo-chatbot',
  maxLifetimeSeconds: 86_400,
} as const;

/**
 * Stream tokens: a browser's `EventSource` cannot send an `Authorization` header, so the page
 * trades its bearer token (`POST /v1/stream-token` on chat-api) for a short-lived token that only
 * opens the notification stream. It names its own audience (`<audience>/stream`), so no API takes
 * it as a bearer, and it may ride in the stream's URL without lending anything else.
 */
export const STREAM_TOKEN = {
  /** How long a stream token lasts, and so how long one stream stays open [300 s]. */
  defaultTtlSeconds: 300,
  /** The longest lifetime a stream token is taken with [900 s]. */
  maxLifetimeSeconds: 900,
} as const;

/** The verifier options for stream tokens, derived from the user-token ones. */
export function streamTokenOptions(options: UserAuthOptions): UserAuthOptions {
  return {
    ...options,
    audience: `${options.audience ?? DEFAULT_JWT.audience}/stream`,
    maxLifetimeSeconds: STREAM_TOKEN.maxLifetimeSeconds,
  };
}

/** Signs a stream-only token for a user, ending no later than `notAfterMs` (their bearer's expiry). */
export async function signStreamToken(
  options: UserAuthOptions,
  sub: string,
  {
    ttlSeconds = STREAM_TOKEN.defaultTtlSeconds,
    notAfterMs,
  }: { ttlSeconds?: number; notAfterMs?: number } = {},
): Promise<{ token: string; expiresAt: number }> {
  const stream = streamTokenOptions(options);
  const left = notAfterMs === undefined ? ttlSeconds : Math.floor((notAfterMs - Date.now()) / 1000);
  const ttl = Math.max(1, Math.min(ttlSeconds, left, STREAM_TOKEN.maxLifetimeSeconds));
  const token = await signUserToken({
    secret: stream.secret,
    sub,
    ttlSeconds: ttl,
    ...(stream.issuer ? { issuer: stream.issuer } : {}),
    ...(stream.audience ? { audience: stream.audience } : {}),
  });
  // The expiry the token itself carries (computing it again here could land a second later).
  return { token, expiresAt: (decodeJwt(token).exp ?? 0) * 1000 };
}

/** What `requireUser` puts on the context. */
export interface UserVariables {
  userId: string;
  /** When the bearer token expires (ms since the epoch): a stream ends then. */
  tokenExpiresAt: number;
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

const keyOf = (secret: string) => new TextEncoder().encode(secret);

function checkSecret(secret: string) {
  if (!secret || secret.length < 32) {
    throw new Error('AUTH_JWT_SECRET must be set and at least 32 characters');
  }
}

/** How many verified tokens a verifier remembers (their bytes, the user id, the expiry). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Checks a bearer token (jose): HS256 with the secret, the configured issuer and audience,
 * `sub`, `exp` and `iat` present, a lifetime no longer than the maximum, within the clock
 * tolerance. Resolves with the user id and the expiry; rejects with a 401 AppError whose text
 * says what is wrong (never echoing the token).
 *
 * A client sends the same token with every request until it expires, so a token that passed is
 * remembered (the last 10,000, by their exact bytes) and taken again without a second HMAC until
 * its `exp` (plus the tolerance): the same bytes verify the same way, and only the clock changes
 * the answer, which is checked on every use. This took WebCrypto's HMAC (a thread-pool job per
 * request) off the write path's profile. The key is imported once.
 */
export function createTokenVerifier(options: UserAuthOptions) {
  checkSecret(options.secret);
  const key = keyOf(options.secret);
  const issuer = options.issuer ?? DEFAULT_JWT.issuer;
  const audience = options.audience ?? DEFAULT_JWT.audience;
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_JWT.maxLifetimeSeconds;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const verified = new Map<string, { userId: string; expiresAt: number }>();
  let cryptoKey: Promise<webcrypto.CryptoKey> | undefined;
  const importKey = () => {
    cryptoKey ??= crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    return cryptoKey;
  };
  return async function verifyToken(token: string): Promise<{ userId: string; expiresAt: number }> {
    const known = verified.get(token);
    if (known && Date.now() < known.expiresAt + clockTolerance * 1000) return known;
    if (known) verified.delete(token);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, await importKey(), {
        algorithms: ['HS256'],
        issuer,
        audience,
        clockTolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      const why =
        err instanceof errors.JWTExpired
          ? 'the bearer token has expired'
          : err instanceof errors.JWTClaimValidationFailed
            ? `the bearer token's ${err.claim} claim is missing or not accepted`
            : 'the bearer token is invalid';
      throw new AppError('unauthorized', why);
    }
    const { exp = 0, iat = 0, sub } = payload;
    if (exp - iat > maxLifetime) {
      throw new AppError(
        'unauthorized',
        `the bearer token lives longer than ${maxLifetime} s; ask for a shorter one`,
      );
    }
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB || hasSpaceOrControl(sub)) {
      throw new AppError('unauthorized', 'the bearer token has no usable sub (user id)');
    }
    const user = { userId: sub, expiresAt: exp * 1000 };
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value as string);
    verified.set(token, user);
    return user;
  };
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The JWT of an `Authorization: Bearer <JWT>` header, or undefined when it is not one. */
export function bearerToken(header: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/.exec(header ?? '')?.[1];
  return token && JWT_SHAPE.test(token) ? token : undefined;
}

/** True when a text has the shape of a JWT (three base64url parts), before any check of it. */
export const looksLikeJwt = (text: string | undefined): text is string => !!text && JWT_SHAPE.test(text);

/**
 * Requires `Authorization: Bearer <JWT>` (see createTokenVerifier): the user id every query,
 * event and actor id is scoped by (`c.get('userId')`). Anything else is a 401 problem with the
 * `WWW-Authenticate` challenge RFC 6750 asks for.
 */
export function requireUser(options: UserAuthOptions): MiddlewareHandler<{ Variables: UserVariables }> {
  const verify = createTokenVerifier(options);
  return async function userAuth(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="todo-chatbot"');
      throw new AppError('unauthorized', 'send Authorization: Bearer <JWT>');
    }
    try {
      const user = await verify(token);
      c.set('userId', user.userId);
      c.set('tokenExpiresAt', user.expiresAt);
    } catch (err) {
      c.header('WWW-Authenticate', 'Bearer realm="todo-chatbot", error="invalid_token"');
      throw err;
    }
    await next();
  };
}

/**
 * Signs a user token the way requireUser takes it: for the development token script, the chat
 * page's sign-in in development, and tests. Never a way around an identity provider.
 *
 * @example await signUserToken({ secret, sub: 'alice', ttlSeconds: 3600 })
 */
export async function signUserToken(options: {
  secret: string;
  sub: string;
  ttlSeconds: number;
  issuer?: string;
  audience?: string;
  /** Extra claims (`scope` for a stream-only token). */
  claims?: Record<string, unknown>;
}): Promise<string> {
  checkSecret(options.secret);
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer ?? DEFAULT_JWT.issuer)
    .setAudience(options.audience ?? DEFAULT_JWT.audience)
    .setIssuedAt()
    .setExpirationTime(`${Math.round(options.ttlSeconds)}s`)
    .sign(keyOf(options.secret));
}
