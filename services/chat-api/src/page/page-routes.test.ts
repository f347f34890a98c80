import { createTokenVerifier, streamTokenOptions } from '@todo/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, JWT_SECRET, type TestApp, token } from '../testing/test-app.ts';

let dev: TestApp;
let prod: TestApp;
beforeAll(async () => {
  dev = await createTestApp({ devSignIn: true });
  prod = await createTestApp();
});
afterAll(async () => {
  await dev.close();
  await prod.close();
});

describe('the chat page', () => {
  it('is served by chat-api itself, with its script and styles from the same origin only', async () => {
    const page = await prod.request('/');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<script type="module" src="/page/chat-page.js">');
    expect(text).toContain('data-dev-sign-in="false"');
    expect(text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:3002");
    const script = await prod.request('/page/chat-page.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('new EventSource(');
    const styles = await prod.request('/page/chat-page.css');
    expect(styles.headers.get('content-type')).toContain('text/css');
  });

  it('signs a user in by name only when DEV_SIGN_IN is on', async () => {
    const off = await prod.request('/dev/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    });
    expect(off.status).toBe(404);
    expect((await dev.request('/')).status).toBe(200);
    expect(await (await dev.request('/')).text()).toContain('data-dev-sign-in="true"');
    const on = await dev.request('/dev/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    });
    expect(on.status).toBe(200);
    const { token: devToken } = await on.json();
    const tasks = await dev.request('/v1/tasks', { headers: { authorization: `Bearer ${devToken}` } });
    expect(tasks.status).toBe(200);
    const bad = await dev.request('/dev/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'a b' }),
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors[0].path).toBe('body.user');
  });
});

describe('POST /v1/stream-token', () => {
  const verifyStream = createTokenVerifier(streamTokenOptions({ secret: JWT_SECRET }));

  it("gives a stream-only token for the caller, no longer-lived than the caller's own", async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const res = await prod.request('/v1/stream-token', {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('bob', exp)}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body.stream_url).toBe('http://127.0.0.1:3002/v1/notifications/stream');
    const claims = await verifyStream(body.token);
    expect(claims.userId).toBe('bob');
    expect(claims.expiresAt).toBeLessThanOrEqual(exp * 1000);
    expect(Date.parse(body.expires_at)).toBe(claims.expiresAt);
    // It opens the stream and nothing else: chat-api does not take it as a bearer.
    const asBearer = await prod.request('/v1/tasks', { headers: { authorization: `Bearer ${body.token}` } });
    expect(asBearer.status).toBe(401);
  });

  it('answers 401 without a bearer token', async () => {
    expect((await prod.request('/v1/stream-token', { method: 'POST' })).status).toBe(401);
  });
});
