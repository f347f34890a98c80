/**
 * @todo/platform: the kit every app of the todo-chatbot is built from.
 * - `createSidecar`: the one Dapr sidecar client (timeouts on every call, `SidecarError` on every failure).
 * - `createServiceApp`, `readiness`, `serveApp`: the Hono app, `/healthz` and `/readyz`, graceful shutdown.
 * - `subscription`, `mountSubscriptions`: programmatic Dapr subscriptions answering SUCCESS / RETRY / DROP.
 * - `loadConfig`, `commonSettings`: settings from the environment, checked with valibot.
 * - `openDatabase`, `migrate`, `migrateOnStart`, `isDatabaseUnavailable`: the PostgreSQL pool and migrations.
 * - `AppError`, `ERROR_CODES`, `problem`: the one error model (RFC 9457 problem+json).
 * - `requireUser`, `requireSidecarToken`: JWT users, and the sidecar's APP_API_TOKEN.
 * - `createLogger`, `requestContext`: pino logs with request, correlation and trace ids.
 * - `createWakeableSleep`: a worker loop's sleep between rounds, which new work or stop() ends early.
 * - `createBatcher`: concurrent calls gathered into one batched call (one SQL statement, one bulk publish).
 * Test doubles live in `@todo/platform/testing`.
 */
export {
  bearerToken,
  createTokenVerifier,
  DEFAULT_JWT,
  looksLikeJwt,
  requireUser,
  STREAM_TOKEN,
  signStreamToken,
  signUserToken,
  streamTokenOptions,
  type UserAuthOptions,
  type UserVariables,
} from './auth-jwt.ts';
export { type BatcherOptions, createBatcher } from './batcher.ts';
export {
  authOptions,
  authSettings,
  ConfigError,
  CountSetting,
  commonSettings,
  FlagSetting,
  ListSetting,
  LogLevelSetting,
  loadConfig,
  PortSetting,
} from './config.ts';
export {
  type DatabaseOptions,
  databaseAnswers,
  isDatabaseUnavailable,
  migrate,
  migrateOnStart,
  openDatabase,
  runMigrations,
  sqlMigration,
} from './database.ts';
export { createLogger, type Logger, type RequestVariables, requestContext } from './logger.ts';
export {
  AppError,
  type DependencyClassifier,
  ERROR_CODES,
  type ErrorCode,
  type FieldError,
  onError,
  problem,
  routeNotFound,
} from './problem.ts';
export { type ServeAppOptions, type ServedApp, serveApp } from './serve-app.ts';
export { createServiceApp, type ReadinessCheck, readiness, type ServiceAppOptions } from './service-app.ts';
export {
  type ActorStateOperation,
  type BindingResult,
  type BulkEntry,
  createSidecar,
  DEFAULT_SIDECAR_TIMEOUTS,
  type ReminderSpec,
  type Sidecar,
  SidecarError,
  type SidecarMetadata,
  type SidecarOptions,
  type SidecarTimeouts,
} from './sidecar.ts';
export { requireSidecarToken } from './sidecar-token.ts';
export {
  createPoisonGuard,
  type DeadLetterPublisher,
  mountSubscriptions,
  type PoisonGuard,
  type Subscription,
  type SubscriptionSpec,
  subscription,
  type Verdict,
} from './subscription.ts';
export { fieldErrors, valid } from './validate.ts';
export { createWakeableSleep, type WakeableSleep } from './wakeable-sleep.ts';
