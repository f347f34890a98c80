import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it, vi } from 'vitest';
import { AppError, onError, routeNotFound } from './problem.ts';

function app(log = vi.fn()) {
  const a = new Hono();
  a.onError(onError(log));
  a.notFound(routeNotFound);
  a.get('/app-error', () => {
    throw new AppError('validation_failed', 'title is empty', {
      errors: [{ path: 'body.title', message: 'must not be empty' }],
    });
  });
  a.get('/http', () => {
    throw new HTTPException(413, { message: 'too big' });
  });
  a.get('/bug', () => {
    throw new Error('secret internals at /srv/app.ts:12');
  });
  return { a, log };
}

describe('problem+json', () => {
  it('renders an AppError with its code and field paths', async () => {
    const res = await app().a.request('/app-error');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 422,
      code: 'validation_failed',
      detail: 'title is empty',
      instance: '/app-error',
      errors: [{ path: 'body.title', message: 'must not be empty' }],
    });
  });

  it('maps HTTPException statuses to stable codes', async () => {
    const res = await app().a.request('/http');
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers a bug with 500 and no internals, and logs it', async () => {
    const { a, log } = app();
    const res = await a.request('/bug');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text)).toMatchObject({ code: 'internal' });
    expect(log).toHaveBeenCalledOnce();
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app().a.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });
});
