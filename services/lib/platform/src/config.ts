import * as v from 'valibot';

/** A TCP port given as a string in the environment (`"3000"`), read as a number. */
export const PortSetting = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, 'must be a port number'),
  v.transform(Number),
);

/** A whole number of ms, seconds, items... given as a string in the environment. */
export const CountSetting = v.pipe(
  v.string(),
  v.regex(/^\d{1,9}$/, 'must be a whole number'),
  v.transform(Number),
);

/** `"true"` or `"false"`, read as a boolean. */
export const FlagSetting = v.pipe(
  v.picklist(['true', 'false'], 'must be true or false'),
  v.transform((s) => s === 'true'),
);

/** LOG_LEVEL: pino's levels. */
/** A comma-separated list (`a,b,c`), read as its trimmed, non-empty items. */
export const ListSetting = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
);
export const LogLevelSetting = v.picklist(['trace', 'debug', 'info', 'warn', 'error', 'silent']);

/** The settings every app reads the same way, with their defaults (the app adds its own). */
export const commonSettings = (defaults: { port: string; daprHttpPort: string }) => ({
  PORT: v.optional(PortSetting, defaults.port),
  /** Listen address: loopback by default (the sidecar is local); 0.0.0.0 in a pod. */
  HOST: v.optional(v.string(), '127.0.0.1'),
  DAPR_HTTP_PORT: v.optional(PortSetting, defaults.daprHttpPort),
  /** What the app sends its sidecar (daprd's DAPR_API_TOKEN). */
  DAPR_API_TOKEN: v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')),
  /** What the sidecar sends the app on every call (daprd's APP_API_TOKEN). */
  APP_API_TOKEN: v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')),
  LOG_LEVEL: v.optional(LogLevelSetting, 'info'),
});

/** The settings of user tokens (requireUser), for the apps that serve users. */
export const authSettings = () => ({
  AUTH_JWT_SECRET: v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters')),
  AUTH_JWT_ISSUER: v.optional(v.string(), 'todo-chatbot'),
  AUTH_JWT_AUDIENCE: v.optional(v.string(), 'todo-chatbot'),
  AUTH_JWT_MAX_LIFETIME_SECONDS: v.optional(CountSetting, '86400'),
});

/** requireUser's options from those settings. */
export function authOptions(config: {
  AUTH_JWT_SECRET: string;
  AUTH_JWT_ISSUER: string;
  AUTH_JWT_AUDIENCE: string;
  AUTH_JWT_MAX_LIFETIME_SECONDS: number;
}) {
  return {
    secret: config.AUTH_JWT_SECRET,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    maxLifetimeSeconds: config.AUTH_JWT_MAX_LIFETIME_SECONDS,
  };
}

/** A setting that stops the start: every wrong one, by name, and where to set it. */
export class ConfigError extends Error {
  constructor(app: string, problems: string[]) {
    super(
      `${app} configuration: ${problems.join('; ')}. Set them in the environment ` +
        `(for the local stack: eval "$(scripts/stack env)")`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads an app's settings from the environment with a valibot object schema; a missing or bad
 * one throws a ConfigError naming each (never its value: it may be a secret).
 *
 * @example
 * const config = loadConfig('notifier', v.object({ ...commonSettings({ port: '3002', daprHttpPort: '3502' }) }));
 */
export function loadConfig<S extends v.GenericSchema<Record<string, string | undefined>, unknown>>(
  app: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): v.InferOutput<S> {
  const parsed = v.safeParse(schema, env);
  if (parsed.success) return parsed.output;
  throw new ConfigError(
    app,
    parsed.issues.map((i) => `${v.getDotPath(i) ?? '?'} ${i.input === undefined ? 'is not set' : i.message}`),
  );
}
