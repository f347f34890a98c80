import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every error code an app answers, and its HTTP status: the one table. Clients branch on the
 * code, never on the text; the status follows from the code, so a code always means the same
 * answer.
 */
export const ERROR_CODES = {
  /** A query parameter, path segment or header is not valid. */
  invalid_request: 400,
  /** The body is JSON but does not match the operation's schema. */
  validation_failed: 422,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  /** The request line or headers are over Node's limit (16 KiB); answered before any route. */
  headers_too_large: 431,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  /** The resource is in a state that does not allow the operation (a completed task snoozed). */
  conflict: 409,
  /** `If-Match` names a version the resource is no longer at. */
  version_conflict: 412,
  rate_limited: 429,
  /** A per-user quota is used up (open tasks, recurring tasks, open streams). */
  quota_exceeded: 429,
  /** A dependency (the database, the sidecar) is down; the answer carries `Retry-After`. */
  dependency_unavailable: 503,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The problem's `title` for each code (RFC 9457: the same for every occurrence of the code). */
const TITLES: Record<ErrorCode, string> = {
  invalid_request: 'The request is not valid',
  validation_failed: 'The request body is not valid',
  malformed_json: 'The body is not valid JSON',
  unsupported_media_type: 'Unsupported content type',
  payload_too_large: 'The body is too large',
  headers_too_large: 'The request headers are too large',
  unauthorized: 'Authentication required',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'The resource does not allow this now',
  version_conflict: 'The resource changed since you read it',
  rate_limited: 'Too many requests',
  quota_exceeded: 'A quota is used up',
  dependency_unavailable: 'A dependency is unavailable',
  internal: 'Internal error',
};

/** One failing field: its path in the request (`body.tags[2]`, `query.limit`) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type of the HTTP layer. Thrown anywhere (domain code included) and rendered by
 * `onError` as RFC 9457 problem+json; the text is safe to show a user. The status comes from
 * the code (`ERROR_CODES`).
 *
 * @example throw new AppError('not_found', 'task not found');
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[];
  readonly extra: Readonly<Record<string, unknown>>;
  /** Seconds, sent as `Retry-After` (429 and 503). */
  readonly retryAfter: number | undefined;
  constructor(
    code: ErrorCode,
    detail: string,
    options: {
      errors?: FieldError[];
      extra?: Record<string, unknown>;
      retryAfter?: number;
      cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.errors = options.errors ?? [];
    this.extra = options.extra ?? {};
    this.retryAfter = options.retryAfter;
  }
  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code];
  }
}

/** The RFC 9457 body for an error at `instance` (a path): one shape for every answer. */
export function problemBody(err: AppError, instance: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `https://todo-chatbot.dev/problems/${err.code.replaceAll('_', '-')}`,
    title: TITLES[err.code],
    status: err.status,
    code: err.code,
    detail: err.message,
    instance,
    ...err.extra,
  };
  if (err.errors.length > 0) body.errors = err.errors;
  return body;
}

/** Renders a problem+json response (RFC 9457). */
export function problem(c: Context, err: AppError): Response {
  const body = problemBody(err, c.req.path);
  const requestId = c.get('requestId' as never) as string | undefined;
  if (requestId) body.request_id = requestId;
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)));
  return c.body(JSON.stringify(body), err.status, headers);
}

const FROM_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

function fromHttpException(err: HTTPException): AppError {
  const code = FROM_STATUS[err.status];
  if (code) return new AppError(code, err.message || TITLES[code]);
  if (err.status >= 400 && err.status < 500)
    return new AppError('invalid_request', err.message || 'bad request');
  return new AppError('internal', 'internal error');
}

/**
 * Recognises a failure of a dependency (the database unreachable, a pool that cannot connect):
 * such an error is answered 503 `dependency_unavailable` with `Retry-After`, not 500. Apps pass
 * the classifier of their database module (`isDatabaseUnavailable`).
 */
export type DependencyClassifier = (err: unknown) => string | undefined;

/**
 * The one error handler: AppError and HTTPException become problem+json; a dependency failure a
 * classifier recognises is a 503; anything else is a bug, logged with its stack by `log` and
 * answered 500 without one.
 */
export function onError(
  log: (err: unknown, c: Context) => void,
  dependencies: readonly DependencyClassifier[] = [],
): ErrorHandler {
  return function handleError(err, c) {
    if (err instanceof AppError) return problem(c, err);
    if (err instanceof HTTPException) return problem(c, fromHttpException(err));
    for (const classify of dependencies) {
      const which = classify(err);
      if (which) {
        log(err, c);
        return problem(
          c,
          new AppError('dependency_unavailable', `${which} is unavailable; try again shortly`, {
            retryAfter: 5,
          }),
        );
      }
    }
    log(err, c);
    return problem(c, new AppError('internal', 'internal error; the request id identifies it in the logs'));
  };
}

/** Answers a request no route matches: a 404 problem naming the method and path. */
export const routeNotFound: NotFoundHandler = (c) =>
  problem(c, new AppError('not_found', `no route ${c.req.method} ${c.req.path}`));
