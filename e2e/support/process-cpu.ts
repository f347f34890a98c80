/**
 * CPU and memory of the stack's processes, read from /proc, for the benchmarks: what each process
 * spent between two readings, so the next bottleneck shows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CPU seconds (user + system) a process and its children that exited have used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime, stime, cutime, cstime are fields 14-17 (1-based), 12-15 here after the split.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** The direct children of a process (daprd under the `dapr`-less supervisor, for one). */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A stack process's pid from its pid file under the state folder (kafka, scheduler, ...). */
export function stackPid(stateDir: string, name: string): number {
  return Number(readFileSync(join(stateDir, `run/${name}.pid`), 'utf8').trim());
}

export function postgresPids(): number[] {
  return execFileSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
}

export function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : Number.NaN;
}

/**
 * CPU seconds so far per named group of processes, and PostgreSQL's backends grouped by who they
 * serve (`owners`: pid → application name or database, from pg_stat_activity), so the database's
 * share shows per caller.
 */
export function cpuByProcess(
  groups: Record<string, number[]>,
  owners: Map<number, string>,
  /** PostgreSQL's processes, when the caller knows them (pgrep otherwise). */
  pgPids: number[] = postgresPids(),
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, pids] of Object.entries(groups)) out[k] = pids.reduce((s, p) => s + cpuSeconds(p), 0);
  for (const pid of pgPids) {
    const key = `postgres: ${owners.get(pid) ?? 'server'}`;
    out[key] = (out[key] ?? 0) + cpuSeconds(pid);
  }
  return out;
}

/** CPU seconds per process between two readings. */
export function cpuDiff(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((k) => [k, +((after[k] ?? 0) - (before[k] ?? 0)).toFixed(2)]),
  );
}

/** Lines for a CPU reading: the total, per unit of work, then each process, largest first. */
export function cpuLines(what: string, seconds: Record<string, number>, n: number, per: string): string[] {
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  const lines = [`${what}: ${total.toFixed(1)} s in all, ${((total * 1000) / n).toFixed(2)} ms per ${per}`];
  for (const [k, v] of Object.entries(seconds).sort((a, b) => b[1] - a[1]))
    if (v > 0)
      lines.push(`  ${k.padEnd(26)} ${v.toFixed(2)} s (${((v * 1000) / n).toFixed(3)} ms per ${per})`);
  return lines;
}
