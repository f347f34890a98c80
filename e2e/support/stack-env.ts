/**
 * The running stack's settings, read from the environment that `scripts/stack env` exports
 * (scripts/test does that before it runs the e2e project).
 */
export interface StackEnv {
  kafkaBrokers: string;
  placementAddress: string;
  schedulerAddress: string;
  daprApiToken: string;
  appApiToken: string;
  actorStateConnectionString: string;
  databaseUrl: string;
  jwtSecret: string;
  webhookSigningSecret: string;
  metricsToken: string;
  /** Folder holding daprd, placement, scheduler and the dapr CLI. */
  daprBin: string;
}

const NAMES = {
  kafkaBrokers: 'KAFKA_BROKERS',
  placementAddress: 'DAPR_PLACEMENT_ADDRESS',
  schedulerAddress: 'DAPR_SCHEDULER_ADDRESS',
  daprApiToken: 'DAPR_API_TOKEN',
  appApiToken: 'APP_API_TOKEN',
  actorStateConnectionString: 'ACTOR_STATE_CONNECTION_STRING',
  databaseUrl: 'DATABASE_URL',
  jwtSecret: 'AUTH_JWT_SECRET',
  webhookSigningSecret: 'WEBHOOK_SIGNING_SECRET',
  metricsToken: 'METRICS_TOKEN',
  daprBin: 'DAPR_BIN',
} as const satisfies Record<keyof StackEnv, string>;

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const missing = Object.values(NAMES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `e2e tests need the local stack: missing ${missing.join(', ')}. Run 'scripts/stack up' and ` +
        `'eval "$(scripts/stack env)"' first, or use scripts/test, which does both.`,
    );
  }
  const out = {} as StackEnv;
  for (const [key, name] of Object.entries(NAMES) as [keyof StackEnv, string][])
    out[key] = env[name] as string;
  return out;
}
