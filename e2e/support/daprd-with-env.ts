import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SidecarProcess, type SidecarSpec, startSidecar } from './sidecar-process.ts';
import type { StackEnv } from './stack-env.ts';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const SUPERVISOR = join(import.meta.dirname, '../../scripts/lib/daprd-supervise');

/**
 * A real daprd started by `startSidecar`, under scripts/lib/daprd-supervise (restarted when it
 * exits with an error, as scripts/run and kubelet do), with extra environment variables for
 * components that read settings through `envRef` (notify-webhook reads NOTIFY_WEBHOOK_URL).
 * `startSidecar` gives daprd a fixed environment, so this points it at a folder holding a `daprd`
 * that sets the variables and `exec`s the real one (same pid, same flags, same log).
 */
export function startSidecarWithEnv(
  stack: StackEnv,
  spec: SidecarSpec,
  env: Record<string, string>,
  /** More daprd flags, after startSidecar's own (the last value of a flag wins). */
  extraArgs: string[] = [],
): SidecarProcess {
  const bin = mkdtempSync(join(tmpdir(), `todo-daprd-${spec.appId}-`));
  const exports = Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
      return `export ${k}=${shellQuote(v)}`;
    })
    .join('\n');
  const wrapper = join(bin, 'daprd');
  // Under the project's daprd supervisor, as scripts/run runs it: a daprd that exits with an
  // error (the actor runtime watchdog's forced shutdown) is started again.
  writeFileSync(
    wrapper,
    `#!/bin/sh\n${exports}\nexport DAPRD_REAL=${shellQuote(join(stack.daprBin, 'daprd'))}\n` +
      `exec ${shellQuote(SUPERVISOR)} "$@" ${extraArgs.map(shellQuote).join(' ')}\n`,
  );
  chmodSync(wrapper, 0o755);
  return startSidecar({ ...stack, daprBin: bin }, spec);
}
