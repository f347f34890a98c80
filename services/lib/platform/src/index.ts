/**
 * @todo/platform: what every app of the todo-chatbot shares.
 * - `createSidecar`: the Dapr sidecar client, throwing on every failure.
 * - `requireSidecarToken`: the guard on the routes the sidecar calls (APP_API_TOKEN).
 * - `requireUser`: JWT (HS256) user authentication; the user id scopes everything.
 * - `AppError`, `problem`, `onError`, `notFound`: the one error model (RFC 9457 problem+json).
 * - `createLogger`, `requestContext`: pino logs with request, correlation and trace ids.
 */
export { requireUser, type UserAuthOptions, type UserVariables } from './auth-jwt.ts';
export { createLogger, type Logger, type RequestVariables, requestContext } from './logger.ts';
export { AppError, type ErrorCode, type FieldError, notFound, onError, problem } from './problem.ts';
export {
  type BulkEntry,
  createSidecar,
  type PublishOptions,
  type Sidecar,
  SidecarError,
  type SidecarOptions,
} from './sidecar-client.ts';
export {
  type ActorStateOperation,
  type BindingResult,
  createSidecarHttp,
  type ReminderSpec,
  type SidecarHttp,
} from './sidecar-http.ts';
export { requireSidecarToken } from './sidecar-token.ts';
export { fieldErrors, valid } from './validate.ts';
