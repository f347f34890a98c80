import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { requireUser, type UserVariables } from './auth-jwt.ts';
import { onError, routeNotFound } from './problem.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

function app() {
  const a = new Hono<{ Variables: UserVariables }>();
  a.onError(onError(() => {}));
  a.notFound(routeNotFound);
  a.use('/v1/*', requireUser({ secret: SECRET }));
  a.get('/v1/me', (c) => c.json({ user: c.get('userId') }));
  return a;
}
const now = () => Math.floor(Date.now() / 1000);
const bearer = async (payload: Record<string, unknown>, key = SECRET) => ({
  authorization: `Bearer ${await sign(payload, key, 'HS256')}`,
});

describe('requireUser', () => {
  it('puts the token sub on the context as the user id', async () => {
    const res = await app().request('/v1/me', { headers: await bearer({ sub: 'alice', exp: now() + 60 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: 'alice' });
  });

  it.each([
    ['no header', async () => ({})],
    ['a malformed header', async () => ({ authorization: 'Bearer nope' })],
    ['another scheme', async () => ({ authorization: 'Basic YWxpY2U6cHc=' })],
    ['a token signed with another key', () => bearer({ sub: 'alice', exp: now() + 60 }, 'x'.repeat(40))],
    ['an expired token', () => bearer({ sub: 'alice', exp: now() - 120 })],
    ['a token without exp', () => bearer({ sub: 'alice' })],
    ['a token without sub', () => bearer({ exp: now() + 60 })],
    ['a token not valid yet', () => bearer({ sub: 'alice', exp: now() + 600, nbf: now() + 300 })],
  ])('answers 401 problem+json to %s', async (_, headers) => {
    const res = await app().request('/v1/me', { headers: await headers() });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('refuses a short secret at start-up', () => {
    expect(() => requireUser({ secret: 'short' })).toThrow(/32 characters/);
  });
});
