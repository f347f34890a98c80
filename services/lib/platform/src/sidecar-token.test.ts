import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requireSidecarToken } from './sidecar-token.ts';

function app() {
  const a = new Hono();
  a.use('/events/*', requireSidecarToken('s3cret-token'));
  a.post('/events/x', (c) => c.json({ status: 'SUCCESS' }));
  a.get('/healthz', (c) => c.body(null, 204));
  return a;
}

describe('requireSidecarToken', () => {
  it('lets a request with the right dapr-api-token through', async () => {
    const res = await app().request('/events/x', {
      method: 'POST',
      headers: { 'dapr-api-token': 's3cret-token' },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'dapr-api-token': 'nope' }],
    ['a longer token with the right prefix', { 'dapr-api-token': 's3cret-token-and-more' }],
    ['an empty token', { 'dapr-api-token': '' }],
  ])('answers 401 to %s', async (_, headers) => {
    const res = await app().request('/events/x', { method: 'POST', headers });
    expect(res.status).toBe(401);
  });

  it('leaves unguarded routes (health) alone', async () => {
    expect((await app().request('/healthz')).status).toBe(204);
  });

  it('refuses to be created without a token', () => {
    expect(() => requireSidecarToken('')).toThrow(/APP_API_TOKEN/);
  });
});
