import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from './logger.ts';
import { AppError, problemBody } from './problem.ts';

export interface ServeAppOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its environment
  app: Hono<any>;
  /** Where to listen: the app's PORT and HOST settings (`commonSettings`). */
  listen: { PORT: number; HOST: string };
  log: Logger;
  /**
   * Steps run in order after the server stopped taking requests, before the process exits:
   * drain queues, close pools. A step that fails is logged; the next ones still run.
   */
  shutdown?: readonly (() => Promise<unknown>)[];
  /** Exit even if shutdown hangs, after this long [10 s; keep it under the pod's grace period]. */
  graceMs?: number;
}

/** A running server: `stop()` is what SIGTERM and SIGINT do, for tests and embedding. */
export interface ServedApp {
  readonly port: number;
  stop(reason?: string): Promise<void>;
}

/**
 * Serves an app with graceful shutdown: on SIGTERM or SIGINT it stops accepting connections,
 * ends open streams (SSE would hold `close()` forever), runs the `shutdown` steps, then exits
 * 0; a shutdown that overruns `graceMs` exits 1 after saying so.
 *
 * @example
 * serveApp({ app, listen: config, log, shutdown: [() => relay.stop(), () => db.destroy()] });
 */
export function serveApp(options: ServeAppOptions): ServedApp {
  const { log } = options;
  const graceMs = options.graceMs ?? 10_000;
  const server = serve(
    { fetch: options.app.fetch, port: options.listen.PORT, hostname: options.listen.HOST },
    (info) => log.info({ port: info.port }, 'listening'),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));
  let stopping: Promise<void> | undefined;

  function stop(reason = 'stop'): Promise<void> {
    stopping ??= (async () => {
      log.info({ reason }, 'shutting down: no new requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const s = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      s.closeIdleConnections?.();
      // In-flight requests get a moment to finish; long-lived ones (SSE) are ended.
      const timer = setTimeout(() => s.closeAllConnections?.(), Math.min(2_000, graceMs / 2));
      await closed;
      clearTimeout(timer);
      for (const step of options.shutdown ?? []) {
        try {
          await step();
        } catch (err) {
          log.error({ err }, 'shutdown step failed');
        }
      }
      log.info('stopped');
    })();
    return stopping;
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        log.error({ graceMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, graceMs).unref();
      void stop(signal).then(() => process.exit(0));
    });
  }
  return {
    port: options.listen.PORT,
    stop,
  };
}

/**
 * What Node's HTTP server answers a request it could not parse, before any route runs: Node's
 * own answer is a bare `431` or `400` with no body; this one is the same status as problem+json,
 * like every other error of the apps. A connection reset, or a socket with a response already
 * under way, is just closed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('headers_too_large', 'the request line and headers must stay under 16 KiB')
      : new AppError('invalid_request', 'the request is not valid HTTP/1.1');
  const body = JSON.stringify(problemBody(error, '/'));
  const reason = error.code === 'headers_too_large' ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
