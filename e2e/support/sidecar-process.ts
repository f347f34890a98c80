import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEnv } from './stack-env.ts';

/** Ports of one daprd; each sidecar gets its own (daprd's defaults clash with each other). */
export interface SidecarPorts {
  app: number;
  http: number;
  grpc: number;
  internalGrpc: number;
  metrics: number;
}

export interface SidecarSpec {
  appId: string;
  ports: SidecarPorts;
  resourcesPath: string;
  configPath?: string;
  logDir: string;
  /** A sidecar with no app behind it (no app port). */
  noApp?: boolean;
  /** daprd's app health check [off, as dapr.yaml has it: docs/dapr.md says why]. */
  appHealthCheck?: boolean;
}

/** A real daprd started by a test, stopped with `stop()`. Its log is in `logFile`. */
export interface SidecarProcess {
  readonly appId: string;
  readonly httpUrl: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Waits until `GET /v1.0/healthz` answers 204 (components, app channel and actors ready). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startSidecar(stack: StackEnv, spec: SidecarSpec): SidecarProcess {
  const { ports } = spec;
  mkdirSync(spec.logDir, { recursive: true });
  const logFile = join(spec.logDir, `daprd-${spec.appId}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  // biome-ignore format: flag and value pairs read best one pair per line
  const args = [
    '--app-id', spec.appId,
    ...(spec.noApp ? [] : ['--app-port', String(ports.app), '--app-channel-address', '127.0.0.1']),
    '--dapr-listen-addresses', '127.0.0.1',
    '--dapr-http-port', String(ports.http),
    '--dapr-grpc-port', String(ports.grpc),
    '--dapr-internal-grpc-port', String(ports.internalGrpc),
    '--dapr-internal-grpc-listen-address', '127.0.0.1',
    '--metrics-port', String(ports.metrics),
    '--metrics-listen-address', '127.0.0.1',
    '--resources-path', spec.resourcesPath,
    '--placement-host-address', stack.placementAddress,
    '--scheduler-host-address', stack.schedulerAddress,
    ...(spec.appHealthCheck ? ['--enable-app-health-check', '--app-health-check-path', '/healthz', '--app-health-probe-interval', '1'] : []),
    '--log-level', 'info',
    ...(spec.configPath ? ['--config', spec.configPath] : []),
  ];
  const child = spawn(join(stack.daprBin, 'daprd'), args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // The address daprd registers with placement for its internal gRPC port (loopback only).
      DAPR_HOST_IP: '127.0.0.1',
      DAPR_API_TOKEN: stack.daprApiToken,
      APP_API_TOKEN: stack.appApiToken,
      KAFKA_BROKERS: stack.kafkaBrokers,
      ACTOR_STATE_CONNECTION_STRING: stack.actorStateConnectionString,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const httpUrl = `http://127.0.0.1:${ports.http}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    appId: spec.appId,
    httpUrl,
    logFile,
    child,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline) {
        if (child.exitCode !== null)
          throw new Error(`daprd ${spec.appId} exited (${child.exitCode}); log: ${logFile}`);
        try {
          const res = await fetch(`${httpUrl}/v1.0/healthz`);
          if (res.status === 204) return;
          last = `status ${res.status}`;
        } catch (err) {
          last = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`daprd ${spec.appId} not healthy after ${timeoutMs} ms (${last}); log: ${logFile}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
