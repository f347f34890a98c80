import { Hono } from 'hono';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, requireUser, signUserToken, type UserVariables } from './auth-jwt.ts';
import { onError, routeNotFound } from './problem.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

function app() {
  const a = new Hono<{ Variables: UserVariables }>();
  a.onError(onError(() => {}));
  a.notFound(routeNotFound);
  a.use('/v1/*', requireUser({ secret: SECRET }));
  a.get('/v1/me', (c) => c.json({ user: c.get('userId'), expires: c.get('tokenExpiresAt') }));
  return a;
}
const now = () => Math.floor(Date.now() / 1000);
/** A token with exactly these claims (the well-formed ones by default). */
async function token(claims: Record<string, unknown>, key = SECRET, alg = 'HS256') {
  const payload = {
    sub: 'alice',
    iss: 'todo-chatbot',
    aud: 'todo-chatbot',
    iat: now(),
    exp: now() + 600,
    ...claims,
  };
  for (const [k, v] of Object.entries(payload))
    if (v === undefined) delete (payload as Record<string, unknown>)[k];
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}
const bearer = async (claims: Record<string, unknown>, key?: string) => ({
  authorization: `Bearer ${await token(claims, key)}`,
});

describe('requireUser', () => {
  it('puts the token sub on the context as the user id, and its expiry', async () => {
    const good = await signUserToken({ secret: SECRET, sub: 'alice', ttlSeconds: 600 });
    const res = await app().request('/v1/me', { headers: { authorization: `Bearer ${good}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: string; expires: number };
    expect(body.user).toBe('alice');
    expect(body.expires).toBeGreaterThan(Date.now());
  });

  it('tolerates a clock a few seconds ahead (an iat in the near future)', async () => {
    const res = await app().request('/v1/me', { headers: await bearer({ iat: now() + 10 }) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no header', async () => ({})],
    ['a malformed header', async () => ({ authorization: 'Bearer nope' })],
    ['another scheme', async () => ({ authorization: 'Basic YWxpY2U6cHc=' })],
    ['a token signed with another key', () => bearer({}, 'x'.repeat(40))],
    ['an expired token', () => bearer({ exp: now() - 120, iat: now() - 600 })],
    ['a token without exp', () => bearer({ exp: undefined })],
    ['a token without iat', () => bearer({ iat: undefined })],
    ['a token without sub', () => bearer({ sub: undefined })],
    ['a token not valid yet', () => bearer({ nbf: now() + 300 })],
    ['another issuer', () => bearer({ iss: 'someone-else' })],
    ['another audience', () => bearer({ aud: 'another-api' })],
    ['a token that expires in the year 275,000', () => bearer({ exp: 8_615_000_000_000 })],
    ['a token living longer than a day', () => bearer({ exp: now() + 2 * 86_400 })],
    ['a user id with a space', () => bearer({ sub: 'alice smith' })],
  ])('answers 401 problem+json with WWW-Authenticate to %s', async (_, headers) => {
    const res = await app().request('/v1/me', { headers: await headers() });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="todo-chatbot"/);
    expect(await res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('refuses a short secret at start-up', () => {
    expect(() => requireUser({ secret: 'short' })).toThrow(/32 characters/);
  });
});

describe('createTokenVerifier: a verified token is remembered until it expires', () => {
  afterEach(() => vi.useRealTimers());

  it('takes the same token again, and refuses it once its exp (plus the tolerance) has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = createTokenVerifier({ secret: SECRET, clockToleranceSeconds: 30 });
    const good = await token({ exp: now() + 5 });
    const first = await verify(good);
    expect(first.userId).toBe('alice');
    // Within its lifetime and the tolerance: the remembered answer.
    vi.setSystemTime(Date.now() + 20_000);
    expect(await verify(good)).toEqual(first);
    // Past exp + 30 s: refused, as a first sight of it would be.
    vi.setSystemTime(Date.now() + 20_000);
    await expect(verify(good)).rejects.toThrow(/expired/);
  });

  it('a token that differs from a remembered one in any byte is checked on its own', async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const good = await token({});
    await verify(good);
    const [h, p, sig] = good.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`;
    await expect(verify(flipped)).rejects.toThrow(/invalid/);
    const otherKey = await token({}, 'y'.repeat(40));
    await expect(verify(otherKey)).rejects.toThrow(/invalid/);
    expect((await verify(good)).userId).toBe('alice');
  });
});
