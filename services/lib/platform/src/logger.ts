import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs (pino) with secrets redacted wherever they might appear: tokens,
 * authorization headers, connection strings.
 */
export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { app: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        '*.headers.authorization',
        '*["dapr-api-token"]',
        '*.headers["dapr-api-token"]',
        'token',
        '*.token',
        'password',
        '*.password',
        'connectionString',
        '*.connectionString',
        'databaseUrl',
        '*.databaseUrl',
      ],
      censor: '[redacted]',
    },
  });
}

/** What `requestContext` puts on the Hono context for handlers and the error handler. */
export interface RequestVariables {
  requestId: string;
  correlationId: string;
  traceId: string | undefined;
  log: Logger;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (`x-request-id` if the caller sent a sane one), a correlation id
 * (`x-correlation-id`, else the request id) carried into every event the request causes, the
 * W3C trace id from `traceparent`, and a child logger with the three; logs one line per request
 * (debug for a success, info for a 4xx, error for a 5xx).
 */
export function requestContext(logger: Logger): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async function requestContextMiddleware(c, next) {
    const sentId = c.req.header('x-request-id');
    const requestId = sentId && SAFE_ID.test(sentId) ? sentId : randomUUID();
    const sentCorrelation = c.req.header('x-correlation-id');
    const correlationId = sentCorrelation && SAFE_ID.test(sentCorrelation) ? sentCorrelation : requestId;
    const traceId = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
      c.req.header('traceparent') ?? '',
    )?.[1];
    const log = logger.child({ requestId, correlationId, ...(traceId ? { traceId } : {}) });
    c.set('requestId', requestId);
    c.set('correlationId', correlationId);
    c.set('traceId', traceId);
    c.set('log', log);
    c.header('x-request-id', requestId);
    const start = performance.now();
    await next();
    const ms = Math.round((performance.now() - start) * 10) / 10;
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    // One line per request is a hot path of its own (a reminder storm is thousands a second):
    // successes at debug, refusals at info, failures at error.
    if (c.res.status >= 500) log.error(line, 'request failed');
    else if (c.res.status >= 400) log.info(line, 'request refused');
    else log.debug(line, 'request');
  };
}
