import { bodyLimit } from 'hono/body-limit';
import { describe, expect, it } from 'vitest';
import { createLogger, type RequestVariables } from './logger.ts';
import { createServiceApp } from './service-app.ts';

function app() {
  const a = createServiceApp<{ Variables: RequestVariables }>({
    log: createLogger({ name: 't', level: 'silent' }),
  });
  a.post('/small', bodyLimit({ maxSize: 10 }), async (c) => c.json({ got: await c.req.text() }, 201));
  return a;
}
const post = (body: string) =>
  app().request('/small', { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

describe('createServiceApp: an error answer to a request with a body closes the connection', () => {
  it('a body refused before it was read (413) is answered with Connection: close', async () => {
    const res = await post('x'.repeat(100_000));
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('a body taken (201), and an error without a body (404), keep the connection (the controls)', async () => {
    const ok = await post('hi');
    expect(ok.status).toBe(201);
    expect(ok.headers.get('connection')).toBeNull();
    const missing = await app().request('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('connection')).toBeNull();
  });
});
