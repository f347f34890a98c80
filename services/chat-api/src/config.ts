import {
  authSettings,
  CountSetting,
  commonSettings,
  FlagSetting,
  ListSetting,
  loadConfig,
} from '@todo/platform';
import * as v from 'valibot';
import { DEFAULT_TASK_LIMITS } from './tasks/task-limits.ts';

const UrlSetting = v.pipe(v.string(), v.url('must be a URL'), v.regex(/^https?:\/\//, 'must be http(s)'));

/** chat-api's settings, from the environment; a missing or bad one stops the start with its name. */
const ConfigSchema = v.object({
  ...commonSettings({ port: '3000', daprHttpPort: '3500' }),
  DATABASE_URL: v.pipe(v.string(), v.startsWith('postgres', 'must be a postgres:// URL')),
  ...authSettings(),
  /** Migrate the tables at start; production runs `node src/migrate-main.ts` (the chart's Job) first. */
  MIGRATE_ON_START: v.optional(FlagSetting, 'true'),
  /** The reminder sweep repairs reminders overdue (and not fired) by more than this. */
  SWEEP_GRACE_SECONDS: v.optional(CountSetting, '180'),
  /** ...and by less than this; a recurring series further behind skips to its next occurrence. */
  SWEEP_LOOKBACK_SECONDS: v.optional(CountSetting, '86400'),
  /** ...and does not re-announce a task before this. */
  SWEEP_REANNOUNCE_SECONDS: v.optional(CountSetting, '300'),
  /** Quotas and limits per user (tasks/task-limits.ts has what each protects). */
  MAX_OPEN_TASKS: v.optional(CountSetting, String(DEFAULT_TASK_LIMITS.maxOpenTasks)),
  MAX_RECURRING_TASKS: v.optional(CountSetting, String(DEFAULT_TASK_LIMITS.maxRecurringTasks)),
  RECURRENCE_MIN_PERIOD_SECONDS: v.optional(
    CountSetting,
    String(DEFAULT_TASK_LIMITS.minRecurrencePeriodSeconds),
  ),
  WRITES_PER_SECOND: v.optional(CountSetting, String(DEFAULT_TASK_LIMITS.writesPerSecond)),
  WRITE_BURST: v.optional(CountSetting, String(DEFAULT_TASK_LIMITS.writeBurst)),
  /** What a metrics scraper sends as its bearer; /metrics is off without it. */
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  /** How often the relay looks unwoken: the latest a dead replica's committed events go out. */
  RELAY_POLL_MS: v.optional(CountSetting, '1000'),
  /** Where clients reach chat-api (`https://todo.example.com`), for the MCP resource metadata [each request's own origin]. */
  PUBLIC_URL: v.optional(UrlSetting),
  /** Hostnames a request to /mcp may name in `Host` (DNS rebinding); add the public one in a cluster. */
  MCP_ALLOWED_HOSTS: v.optional(ListSetting, 'localhost,127.0.0.1,[::1]'),
  /** Hostnames a browser's `Origin` may name on /mcp (a request without one passes). */
  MCP_ALLOWED_ORIGINS: v.optional(ListSetting, 'localhost,127.0.0.1,[::1]'),
  /** The issuers of user tokens, as the MCP resource metadata lists them (`authorization_servers`) [none]. */
  MCP_AUTHORIZATION_SERVERS: v.optional(ListSetting, ''),
  /** Where browsers reach notifier: the chat page opens its notification stream there. */
  NOTIFIER_PUBLIC_URL: v.optional(UrlSetting, 'http://127.0.0.1:3002'),
  /** Development only: the chat page signs a user in by name alone (POST /dev/sign-in). */
  DEV_SIGN_IN: v.optional(FlagSetting, 'false'),
});
export type Config = v.InferOutput<typeof ConfigSchema>;

export function loadChatApiConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadConfig('chat-api', ConfigSchema, env);
}
