import type { Logger, Sidecar } from '@todo/platform';

/** What the watchdog reads of the sidecar. */
export type WatchedSidecar = Pick<Sidecar, 'metadata' | 'getActorState' | 'forceShutdown'>;

export interface RuntimeWatchdogOptions {
  sidecar: WatchedSidecar;
  log: Logger;
  /** The actor type this host serves: the probe reads a state key of one of its actors. */
  actorType: string;
  /** How often the actor runtime is checked [5 s]. */
  intervalMs?: number;
  /** How long it may stay unready before the sidecar is restarted [45 s]: a reconnect takes seconds. */
  graceMs?: number;
  /** How long the probe may take [2 s]. */
  probeTimeoutMs?: number;
  now?: () => number;
}

export interface RuntimeWatchdog {
  /** One check now; what `/readyz` reports: true, or why not. */
  check(): Promise<true | string>;
  /** One check, and a restart when the runtime stayed unready past the grace: what the interval runs. */
  tick(): Promise<void>;
  start(): void;
  stop(): void;
  /** Sidecar restarts asked for so far. */
  readonly restarts: number;
}

/**
 * Watches the sidecar's actor runtime, which daprd's own health endpoint does not reflect: after
 * a placement restart, daprd 1.18 can stay `placement: disconnected` / `hostReady: false` (or
 * connected with the type's lookups blocked) while `/v1.0/healthz` answers 204, and every actor
 * call hangs (docs/dapr.md, "Placement"). A check reads the metadata and probes an actor state
 * read with a short timeout (it takes the same placement lock as every actor call). When the
 * runtime stays unready past `graceMs`, the watchdog forces daprd to exit, so its supervisor
 * (kubelet, or scripts/run's daprd wrapper) starts a fresh one, which reconnects.
 */
export function createRuntimeWatchdog(options: RuntimeWatchdogOptions): RuntimeWatchdog {
  const { sidecar, log } = options;
  const intervalMs = options.intervalMs ?? 5_000;
  const graceMs = options.graceMs ?? 45_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let unreadySince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let restarts = 0;
  let checking: Promise<true | string> | undefined;

  async function probe(): Promise<true | string> {
    let meta: Awaited<ReturnType<WatchedSidecar['metadata']>>;
    try {
      meta = await sidecar.metadata();
    } catch (err) {
      return `sidecar metadata: ${(err as Error).message}`;
    }
    const runtime = meta.actorRuntime;
    if (!runtime?.hostReady) return `actor runtime not ready (${runtime?.placement ?? 'no actor runtime'})`;
    if (runtime.placement !== 'placement: connected')
      return `actor runtime: ${runtime.placement ?? 'placement unknown'}`;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sidecar.getActorState(options.actorType, 'runtime-watchdog-probe', 'probe').catch((err: Error) => {
          // An answer, even a refusal, means lookups go through; only no answer is stuck.
          if (/no answer within/.test(err.message)) throw err;
        }),
        new Promise((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error(`no answer within ${probeTimeoutMs} ms`)),
            probeTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      return `actor lookups hang: ${(err as Error).message}`;
    } finally {
      clearTimeout(timeout);
    }
    return true;
  }

  async function check(): Promise<true | string> {
    checking ??= probe().finally(() => {
      checking = undefined;
    });
    const outcome = await checking;
    if (outcome === true) {
      if (unreadySince !== undefined)
        log.info({ unreadyMs: now() - unreadySince }, 'actor runtime ready again');
      unreadySince = undefined;
    } else {
      unreadySince ??= now();
    }
    return outcome;
  }

  async function tick() {
    const outcome = await check();
    if (outcome === true || unreadySince === undefined || now() - unreadySince < graceMs) return;
    restarts += 1;
    log.error(
      { reason: outcome, unreadyMs: now() - unreadySince, restarts },
      'actor runtime stuck; restarting the sidecar',
    );
    // The fresh sidecar gets the whole grace again before another restart.
    unreadySince = now();
    await sidecar.forceShutdown().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'sidecar shutdown failed (it may be exiting already)');
    });
  }

  return {
    check,
    tick,
    start() {
      if (timer) return;
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    get restarts() {
      return restarts;
    },
  };
}
