import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Stable error codes: clients branch on these, never on the text. */
export type ErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'version_conflict'
  | 'precondition_required'
  | 'ambiguous_reference'
  | 'dependency_unavailable'
  | 'internal';

/** One failing field: its path in the request (`body.tags[2]`, `query.limit`) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type of the HTTP layer. Thrown anywhere (domain code included) and rendered
 * by `onError` as RFC 9457 problem+json; the text is safe to show a user.
 *
 * @example throw new AppError(404, 'not_found', 'task not found');
 */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[];
  readonly extra: Readonly<Record<string, unknown>>;
  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; extra?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.errors = options.errors ?? [];
    this.extra = options.extra ?? {};
  }
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  malformed_json: 'The body is not valid JSON',
  unsupported_media_type: 'Unsupported content type',
  payload_too_large: 'The body is too large',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  version_conflict: 'The resource changed since you read it',
  precondition_required: 'A precondition is required',
  ambiguous_reference: 'The reference matches several resources',
  dependency_unavailable: 'A dependency is unavailable',
  internal: 'Internal error',
};

/** Renders a problem+json response (RFC 9457). */
export function problem(c: Context, err: AppError): Response {
  const body: Record<string, unknown> = {
    type: `https://todo-chatbot.dev/problems/${err.code.replaceAll('_', '-')}`,
    title: TITLES[err.code],
    status: err.status,
    code: err.code,
    detail: err.message,
    instance: c.req.path,
    ...err.extra,
  };
  if (err.errors.length > 0) body.errors = err.errors;
  const requestId = c.get('requestId' as never) as string | undefined;
  if (requestId) body.request_id = requestId;
  return c.body(JSON.stringify(body), err.status, { 'content-type': 'application/problem+json' });
}

function fromHttpException(err: HTTPException): AppError {
  const s = err.status;
  if (s === 401) return new AppError(401, 'unauthorized', err.message || 'a valid bearer token is required');
  if (s === 413) return new AppError(413, 'payload_too_large', err.message || 'the body is too large');
  if (s === 415)
    return new AppError(415, 'unsupported_media_type', err.message || 'unsupported content type');
  if (s === 404) return new AppError(404, 'not_found', err.message || 'not found');
  if (s === 405) return new AppError(405, 'method_not_allowed', err.message || 'method not allowed');
  if (s >= 400 && s < 500)
    return new AppError(s as ContentfulStatusCode, 'validation_failed', err.message || 'bad request');
  return new AppError(500, 'internal', 'internal error');
}

/**
 * The one error handler: AppError and HTTPException become problem+json; anything else is a
 * bug, logged with its stack by `log` and answered 500 without one.
 */
export function onError(log: (err: unknown, c: Context) => void): ErrorHandler {
  return function handleError(err, c) {
    if (err instanceof AppError) return problem(c, err);
    if (err instanceof HTTPException) return problem(c, fromHttpException(err));
    log(err, c);
    return problem(
      c,
      new AppError(500, 'internal', 'internal error; the request id identifies it in the logs'),
    );
  };
}

export const notFound: NotFoundHandler = (c) =>
  problem(c, new AppError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`));
