import { connect, createServer } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { type ServedApp, serveApp } from './serve-app.ts';

let served: ServedApp;
let base: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

beforeAll(async () => {
  const app = new Hono().get('/hello', (c) => c.text('hi'));
  const port = await freePort();
  served = serveApp({
    app,
    listen: { PORT: port, HOST: '127.0.0.1' },
    log: createLogger({ name: 't', level: 'silent' }),
  });
  base = `http://127.0.0.1:${port}`;
  // Listening is asynchronous: wait for the first answer.
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`${base}/hello`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});

afterAll(() => served.stop());

/** Sends raw bytes and returns everything the server wrote before it closed. */
function raw(text: string): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('utf8');
    });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('serveApp: requests Node cannot parse', () => {
  it('serves an ordinary request (the positive control)', async () => {
    const res = await fetch(`${base}/hello`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hi');
  });

  it('answers headers over 16 KiB with a 431 problem+json', async () => {
    const res = await fetch(`${base}/hello`, { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('answers a request that is not HTTP with a 400 problem+json', async () => {
    const got = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(got).toMatch(/^HTTP\/1\.1 400 /);
    expect(got).toContain('content-type: application/problem+json');
    const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400, code: 'invalid_request' });
  });
});
