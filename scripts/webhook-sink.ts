/**
 * A local webhook receiver for the notifier's notify-webhook binding: records every delivery so
 * tests and people can see them. Run with scripts/webhook-sink (which provides Node 24).
 *
 *   POST /<any path>    records { at, path, headers, body } and answers 204
 *                       (503 for the first --fail-first N requests, to watch the retries)
 *   GET  /deliveries    every recorded delivery, as a JSON array
 *   DELETE /deliveries  forgets them
 *
 * Options: --port N [3990], --host H [127.0.0.1], --out FILE (also append each delivery as a
 * JSON line), --fail-first N [0], --delay-ms N (answer each delivery N ms after recording it) [0],
 * --secret S (check each delivery's Standard Webhooks signature against S; recorded as `signature`).
 */
import { createHmac } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3990' },
    host: { type: 'string', default: '127.0.0.1' },
    out: { type: 'string' },
    'fail-first': { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '0' },
    secret: { type: 'string' },
  },
});

interface Delivery {
  at: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** With --secret: whether the Standard Webhooks signature verifies against the body received. */
  signature?: 'valid' | 'invalid' | 'unsigned';
}

/** Checks `webhook-signature` the way a receiver would: HMAC-SHA256 over "id.timestamp.body". */
function verify(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): NonNullable<Delivery['signature']> {
  const [id, timestamp, signature] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map(
    (h) => headers[h],
  );
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string')
    return 'unsigned';
  const secret = values.secret ?? '';
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return signature.split(' ').some((s) => s === `v1,${expected}`) ? 'valid' : 'invalid';
}

const deliveries: Delivery[] = [];
let failuresLeft = Number(values['fail-first']);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/deliveries' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deliveries));
      return;
    }
    if (req.url === '/deliveries' && req.method === 'DELETE') {
      deliveries.length = 0;
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      res.writeHead(503).end('failing on purpose (--fail-first)');
      return;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: recorded as text.
    }
    const delivery: Delivery = {
      at: new Date().toISOString(),
      path: req.url ?? '/',
      headers: req.headers,
      body,
      ...(values.secret ? { signature: verify(req.headers, text) } : {}),
    };
    deliveries.push(delivery);
    if (values.out) appendFileSync(values.out, `${JSON.stringify(delivery)}\n`);
    // A slow receiver (--delay-ms): recorded on arrival, answered later.
    setTimeout(() => res.writeHead(204).end(), Number(values['delay-ms']));
  });
});

server.listen(Number(values.port), values.host, () => {
  console.log(`webhook-sink listening on http://${values.host}:${values.port} (GET /deliveries to see them)`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
