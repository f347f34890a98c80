import { createWakeableSleep, type Logger, type Sidecar, SidecarError } from '@todo/platform';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { LatencyWindow } from './latency-window.ts';

/**
 * Publishes a batch of events of one topic; resolves with the ids of the entries that failed
 * and why, throws when the whole batch failed.
 */
export type PublishFn = (
  topic: string,
  entries: { id: string; event: unknown; partitionKey: string }[],
) => Promise<Map<string, string>>;

/**
 * Publishing through the app's Dapr sidecar, as the relay does in production: one bulk publish
 * per topic and round (each task appears at most once in a round, so order is kept).
 */
export function publishThrough(sidecar: Sidecar): PublishFn {
  return (topic, entries) =>
    sidecar.publishBulk(
      topic,
      entries.map((e) => ({ id: e.id, event: e.event as object, partitionKey: e.partitionKey })),
    );
}

export interface RelayOptions {
  db: Db;
  /** One call per topic and round: production publishes through the sidecar (`publishThrough`). */
  publish: PublishFn;
  /** Resolves when the sidecar is up; the relay claims nothing before (so it holds no locks while waiting). */
  waitForSidecar?: () => Promise<void>;
  log: Logger;
  /** Rows claimed per round. Default 200. */
  batchSize?: number;
  /**
   * How often the relay looks without being woken: rows of a replica that died between its commit
   * and its relay's round go out this late at most. Default 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * The relay vacuums the outbox itself after this many deleted rows (at most every 5 s).
   * Default 5,000; 0: never (autovacuum alone).
   */
  vacuumEveryRows?: number;
  /** Backoff after a failed publish: base × 2^attempts, capped. Defaults 200 ms and 30 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface RelayStats {
  pending: number;
  oldestAgeSeconds: number;
  published: number;
  failures: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

export interface OutboxRelay {
  start(): void;
  /**
   * Events were committed to the outbox: run a round now instead of at the next poll. Wakes that
   * come during a round make one more round, not one each.
   */
  wake(): void;
  /** One claim-publish-commit round; returns how many rows it claimed. Exposed for tests. */
  runOnce(): Promise<number>;
  /** Stops taking new work after draining what is claimable, up to `drainMs` (default 10 s). */
  stop(drainMs?: number): Promise<void>;
  stats(): Promise<RelayStats>;
}

interface ClaimedRow {
  id: string;
  topic: string;
  partition_key: string;
  event: unknown;
  created_at: Date;
  attempts: number;
}

/**
 * The outbox relay. Woken by this process's writes once they committed (`wake`; polling as a
 * fallback for the rows of other replicas), claims the oldest
 * unpublished row of each (topic, task) with `FOR UPDATE SKIP LOCKED` — only the head row of
 * a topic's key is claimable, so several relays share the work and a task's events are never
 * reordered on their topic (Kafka's order is per topic partition) —
 * publishes them through the sidecar, deletes the published rows and backs the failed ones
 * off, all in one transaction. A crash before commit leaves the rows to publish again:
 * duplicates are possible, losses are not.
 */
export function createOutboxRelay(options: RelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 200;
  const pollMs = options.pollIntervalMs ?? 1000;
  const base = options.backoffBaseMs ?? 200;
  const cap = options.backoffMaxMs ?? 30_000;
  const { db, log } = options;
  const latency = new LatencyWindow();
  let published = 0;
  const vacuumEvery = options.vacuumEveryRows ?? 5_000;
  let publishedAtVacuum = 0;
  let vacuumedAt = 0;
  let failures = 0;
  let running = false;
  let loop: Promise<void> | undefined;
  const nap = createWakeableSleep();
  let pendingWake = false;
  /** When the earliest row this relay backed off is due again (other replicas' rows: polling). */
  let retryAt: number | undefined;

  function signal() {
    pendingWake = true;
    nap.wake();
  }

  async function runOnce(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const claimed = await sql<ClaimedRow>`
        select o.id, o.topic, o.partition_key, o.event, o.created_at, o.attempts
        from outbox o
        where o.next_attempt_at <= now()
          and not exists (
            select 1 from outbox p where p.topic = o.topic and p.partition_key = o.partition_key and p.id < o.id)
        order by o.id
        limit ${batchSize}
        for update skip locked`.execute(trx);
      const rows = claimed.rows;
      if (rows.length === 0) return 0;

      const done: string[] = [];
      const failed: { row: ClaimedRow; error: string }[] = [];
      const ok = (row: ClaimedRow) => {
        done.push(row.id);
        latency.add(Date.now() - row.created_at.getTime());
      };
      const why = (err: unknown) => (err instanceof SidecarError ? err.message : String(err));
      const byTopic = new Map<string, ClaimedRow[]>();
      for (const row of rows) {
        const group = byTopic.get(row.topic);
        if (group) group.push(row);
        else byTopic.set(row.topic, [row]);
      }
      await Promise.all(
        [...byTopic].map(async ([topic, group]) => {
          try {
            const errors = await options.publish(
              topic,
              group.map((row) => ({ id: row.id, event: row.event, partitionKey: row.partition_key })),
            );
            for (const row of group) {
              const error = errors.get(row.id);
              if (error === undefined) ok(row);
              else failed.push({ row, error });
            }
          } catch (err) {
            for (const row of group) failed.push({ row, error: why(err) });
          }
        }),
      );

      if (done.length > 0) await trx.deleteFrom('outbox').where('id', 'in', done).execute();
      for (const { row, error } of failed) {
        const delay = Math.min(cap, base * 2 ** row.attempts) * (0.8 + Math.random() * 0.4);
        retryAt = Math.min(retryAt ?? Number.POSITIVE_INFINITY, Date.now() + delay);
        await trx
          .updateTable('outbox')
          .set({
            attempts: row.attempts + 1,
            // On PostgreSQL's clock, as the claim compares it: app clocks never mix in.
            next_attempt_at: sql<Date>`now() + make_interval(secs => ${delay / 1000})`,
            last_error: error.slice(0, 1000),
          })
          .where('id', '=', row.id)
          .execute();
      }
      published += done.length;
      failures += failed.length;
      if (failed.length > 0) {
        log.warn(
          { failed: failed.length, published: done.length, error: failed[0]?.error },
          'outbox relay: publish failed; those tasks wait and retry with backoff',
        );
      }
      return rows.length;
    });
  }

  /** Sleeps until a wake, the poll interval, the earliest backed-off row, or stop(). */
  async function idle() {
    // A wake or stop() that came during the round must not be slept through.
    if (pendingWake || !running) {
      pendingWake = false;
      return;
    }
    let wait = pollMs;
    if (retryAt !== undefined && retryAt <= Date.now()) retryAt = undefined;
    if (retryAt !== undefined) wait = Math.max(5, Math.min(wait, retryAt - Date.now()));
    await nap.sleep(wait);
    pendingWake = false;
  }

  /**
   * A queue table: every row is inserted, then deleted within milliseconds, a thousand or more a
   * second under load. Autovacuum looks once a minute by default, so the dead rows piled up
   * (tens of MB for a few hundred live rows); the planner then scanned all of them on every
   * claim, the relay fell behind, and a 5,800-row backlog took 50 s to drain (scripts/bench-chat-api).
   * So the relay vacuums what it deleted: small and quick while the live rows are few, skipped
   * when another replica is at it. Without truncation: giving the empty tail pages back takes an
   * exclusive lock on the table (every write waits), and the space is reused anyway. It must run
   * as the table's owner (chat-api's own DATABASE_URL, which migrated it): PostgreSQL skips
   * another role's VACUUM with a mere warning.
   */
  async function vacuumIfDue() {
    if (vacuumEvery <= 0 || published - publishedAtVacuum < vacuumEvery || Date.now() - vacuumedAt < 5_000)
      return;
    publishedAtVacuum = published;
    vacuumedAt = Date.now();
    try {
      await sql`vacuum (skip_locked, analyze, truncate false) outbox`.execute(db);
    } catch (err) {
      log.warn(
        { err: (err as Error).message },
        'outbox relay: vacuum of the outbox failed; autovacuum remains',
      );
    }
  }

  async function run() {
    while (running && options.waitForSidecar) {
      try {
        await options.waitForSidecar();
        break;
      } catch (err) {
        log.warn(
          { err: (err as Error).message },
          'outbox relay: sidecar not reachable yet; events wait in the outbox',
        );
      }
    }
    while (running) {
      try {
        // Idle only after a round that found nothing: a round that published a task's head row
        // made its next row claimable, and the replica that wrote it may have been woken while
        // this one still held the head (its claim skipped the row): nobody else would look
        // before the poll.
        const n = await runOnce();
        await vacuumIfDue();
        if (n === 0) await idle();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'outbox relay: round failed (database?); retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake: signal,
    runOnce,
    async stop(drainMs = 10_000) {
      if (!running) return;
      running = false;
      signal();
      await loop;
      const deadline = Date.now() + drainMs;
      // Drain: publish what is claimable now, so a clean shutdown leaves nothing behind that
      // could be published; rows backed off after a failure stay for the next start.
      while (Date.now() < deadline) {
        try {
          if ((await runOnce()) === 0) break;
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'outbox relay: drain round failed');
          break;
        }
      }
    },
    async stats() {
      const r = await sql<{ pending: number; oldest: number | null }>`
        select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest from outbox`.execute(
        db,
      );
      const row = r.rows[0];
      return {
        pending: row?.pending ?? 0,
        oldestAgeSeconds: row?.oldest ?? 0,
        published,
        failures,
        latencyMs: { p50: latency.quantile(0.5), p95: latency.quantile(0.95), p99: latency.quantile(0.99) },
      };
    },
  };
}
