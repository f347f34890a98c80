import * as v from 'valibot';

const Port = v.pipe(v.string(), v.regex(/^\d{1,5}$/), v.transform(Number));

/** chat-api's settings, from the environment; a missing or bad one stops the start with its name. */
const ConfigSchema = v.object({
  PORT: v.optional(Port, '3000'),
  /** Listen address: loopback by default (the sidecar is local); 0.0.0.0 in a pod. */
  HOST: v.optional(v.string(), '127.0.0.1'),
  DAPR_HTTP_PORT: v.optional(Port, '3500'),
  DATABASE_URL: v.pipe(v.string(), v.startsWith('postgres')),
  AUTH_JWT_SECRET: v.pipe(v.string(), v.minLength(32)),
  DAPR_API_TOKEN: v.pipe(v.string(), v.minLength(16)),
  APP_API_TOKEN: v.pipe(v.string(), v.minLength(16)),
  LOG_LEVEL: v.optional(v.picklist(['trace', 'debug', 'info', 'warn', 'error']), 'info'),
  /** Run migrations at start (development); production runs `node src/migrate-main.ts` first. */
  MIGRATE_ON_START: v.optional(v.picklist(['true', 'false']), 'true'),
  SWEEP_HORIZON_SECONDS: v.optional(Port, '120'),
  RELAY_POLL_MS: v.optional(Port, '1000'),
});
export type Config = v.InferOutput<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = v.safeParse(ConfigSchema, env);
  if (!parsed.success) {
    const names = parsed.issues.map((i) => `${v.getDotPath(i) ?? '?'}: ${i.message}`).join('; ');
    throw new Error(`chat-api configuration: ${names}`);
  }
  return parsed.output;
}
