import { bodyLimit } from 'hono/body-limit';
import { describe, expect, it } from 'vitest';
import { createLogger, type RequestVariables } from './logger.ts';
import { createServiceApp } from './service-app.ts';

function app() {
  const a = createServiceApp<{ Variables: RequestVariables }>({
    log: createLogger({ name: 't', level: 'silent' }),
  });
  a.post('/small', bodyLimit({ maxSize: 10 }), async (c) => {
    const got = await c.req.text();
    return got === 'bad' ? c.json({ error: 'bad' }, 422) : c.json({ got }, 201);
  });
  return a;
}
// With its length announced, as a client sends it: bodyLimit refuses a body too large unread.
const post = (body: string) =>
  app().request('/small', {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) },
  });

describe('createServiceApp: an error answer to a request whose body was not read closes the connection', () => {
  it('a body refused before it was read (413) is answered with Connection: close', async () => {
    const res = await post('x'.repeat(100_000));
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('a body read (201, and a 422 after reading it), and an error without a body (404), keep it', async () => {
    const ok = await post('hi');
    expect(ok.status).toBe(201);
    expect(ok.headers.get('connection')).toBeNull();
    const refused = await post('bad');
    expect(refused.status).toBe(422);
    expect(refused.headers.get('connection')).toBeNull();
    const missing = await app().request('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('connection')).toBeNull();
  });
});
