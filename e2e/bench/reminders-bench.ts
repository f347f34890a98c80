/**
 * The reminder benchmark (a script, not a test): run it through scripts/bench-reminders, which
 * brings the stack up and exports its environment. It starts task-reminder and notifier as their
 * own processes under real daprd sidecars (the project's dapr-components), then:
 *
 *  A. registers --burst reminders (default 1,000) due within --burst-window seconds (10) and
 *     measures the registration rate and each reminder's lateness: remind_at → the actor firing
 *     (fired_at) and → the ReminderDue seen on Kafka by an independent client (kafkajs);
 *  B. registers --pending reminders (default 100,000) due over --pending-window seconds, and
 *     measures the registration time and the resident memory of the actor host, its daprd and
 *     the scheduler;
 *  C. kills the scheduler with SIGKILL half-way through B's firing window, restarts it with
 *     `scripts/stack up`, and checks that every reminder still fires and that no task got two
 *     notifications (ReminderDue duplicates on Kafka are counted and reported too).
 *
 * Reminders are registered by calling TaskReminder/<id>.apply through the sidecar (what the
 * task-events subscription does), `--concurrency` calls at a time (64).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEvent, uuidv7 } from '@todo/events';
import { type AppProcess, startApp } from '../support/app-process.ts';
import { startSidecarWithEnv } from '../support/daprd-with-env.ts';
import { type KafkaRecord, openKafkaReader } from '../support/kafka-reader.ts';
import { openNotificationsReader } from '../support/notifications-db.ts';
import type { SidecarProcess } from '../support/sidecar-process.ts';
import { stackEnv } from '../support/stack-env.ts';

const { values: opt } = parseArgs({
  options: {
    burst: { type: 'string', default: '1000' },
    'burst-window': { type: 'string', default: '10' },
    pending: { type: 'string', default: '100000' },
    'pending-window': { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '64' },
    'no-kill': { type: 'boolean', default: false },
  },
});
const BURST = Number(opt.burst);
const BURST_WINDOW_MS = Number(opt['burst-window']) * 1000;
const PENDING = Number(opt.pending);
const PENDING_WINDOW_MS = Number(opt['pending-window']) * 1000;
const CONCURRENCY = Number(opt.concurrency);

const stack = stackEnv();
const ROOT = join(import.meta.dirname, '..', '..');
// A snapshot of dapr-components: daprd 1.18 watches its resources folder and, on any change there
// (someone editing a file), reloads its runtime in process; with actor calls in flight that reload
// waited indefinitely in our runs and every actor call failed until restart. The bench must not
// depend on nobody touching the folder for 15 minutes.
const COMPONENTS = mkdtempSync(join(tmpdir(), 'todo-bench-components-'));
cpSync(join(ROOT, 'dapr-components'), COMPONENTS, { recursive: true });
// Own consumer groups starting at the newest message: the topics are shared with every other run
// on this stack, and a backlog of someone else's task events must not load the measured apps.
const pubsubFile = join(COMPONENTS, 'kafka-pubsub.yaml');
writeFileSync(
  pubsubFile,
  readFileSync(pubsubFile, 'utf8')
    .replace(/(name: consumerGroup\s+value: )"\{appID\}"/, '$1"bench-{appID}"')
    .replace(/(name: initialOffset\s+value: )"oldest"/, '$1"newest"'),
);
const CONFIG = join(COMPONENTS, 'config.yaml');
const STATE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'todo-chatbot/state');
const TR = { app: 3001, http: 3501, grpc: 20102, internalGrpc: 20202, metrics: 9502 };
const NT = { app: 3002, http: 3502, grpc: 20103, internalGrpc: 20203, metrics: 9503 };
const SINK_PORT = 3990;
const logDir = mkdtempSync(join(tmpdir(), 'todo-bench-reminders-'));
const user = `bench-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
function stats(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (n: number) => `${Math.round(n)}`;
  return `p50 ${f(percentile(s, 50))} ms, p90 ${f(percentile(s, 90))} ms, p99 ${f(percentile(s, 99))} ms, max ${f(s.at(-1) ?? Number.NaN)} ms (n=${s.length})`;
}
function rssMiB(pid: number | undefined): string {
  if (!pid) return '?';
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? `${(Number(kb) / 1024).toFixed(0)} MiB` : '?';
  } catch {
    return 'gone';
  }
}
const schedulerPid = () => Number(readFileSync(join(STATE_DIR, 'run/scheduler.pid'), 'utf8').trim());

function createdEvent(taskId: string, remindAt: Date) {
  const now = new Date().toISOString();
  return buildEvent({
    type: 'todo.task.created.v1',
    source: 'bench',
    subject: taskId,
    userid: user,
    correlationid: `bench-${taskId}`,
    data: {
      id: taskId,
      user_id: user,
      title: 'bench',
      description: null,
      status: 'open',
      priority: 'low',
      tags: [],
      due_at: null,
      remind_at: remindAt.toISOString(),
      recurrence: 'none',
      timezone: 'UTC',
      version: 1,
      created_at: now,
      updated_at: now,
      completed_at: null,
    },
  }).event;
}

/** Applies created events through the sidecar, `CONCURRENCY` at a time; returns per-call latencies. */
async function register(tasks: { id: string; remindAt: Date }[], label: string) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  let lastReport = started;
  async function worker() {
    while (next < tasks.length) {
      const t = tasks[next++];
      if (!t) return;
      const body = JSON.stringify(createdEvent(t.id, t.remindAt));
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${TR.http}/v1.0/actors/TaskReminder/${t.id}/method/apply`, {
          method: 'PUT',
          headers: { 'dapr-api-token': stack.daprApiToken, 'content-type': 'application/json' },
          body,
        }).catch((err: Error) => ({ status: 0, text: async () => err.message }));
        if (res.status === 200) {
          latencies.push(performance.now() - t0);
          break;
        }
        failures += 1;
        // A sidecar whose actor runtime restarts (a resources file changed: daprd hot-reloads)
        // fails calls for a while and its circuit breaker opens for 15 s: keep trying for 2 min.
        if (attempt >= 60) throw new Error(`${label}: apply kept failing: ${res.status} ${await res.text()}`);
        await sleep(Math.min(200 * (attempt + 1), 2_000));
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`  ${label}: ${latencies.length}/${tasks.length} registered`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds, rate: tasks.length / seconds, failures };
}

/** Follows `reminders` and stamps each record with the time this process first saw it. */
async function followReminders() {
  const reader = await openKafkaReader(stack.kafkaBrokers, 'reminders');
  const seen: { record: KafkaRecord; at: number }[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const all = await reader.readUntil(() => true, 0);
      const now = Date.now();
      for (let i = seen.length; i < all.length; i++) seen.push({ record: all[i] as KafkaRecord, at: now });
      await sleep(10);
    }
  })();
  return {
    seen,
    async close() {
      stop = true;
      await loop;
      await reader.close();
    },
  };
}

interface Due {
  id: string;
  subject: string;
  data: { occurrence: string; fired_at: string };
}

const apps: AppProcess[] = [];
const sidecars: SidecarProcess[] = [];

async function main() {
  say(`logs: ${logDir}`);
  const sinkChild = spawn(
    process.execPath,
    [join(ROOT, 'scripts/webhook-sink.ts'), '--port', String(SINK_PORT)],
    {
      stdio: 'ignore',
    },
  );
  const env = { DAPR_API_TOKEN: stack.daprApiToken, APP_API_TOKEN: stack.appApiToken, LOG_LEVEL: 'warn' };
  apps.push(
    startApp({
      dir: join(ROOT, 'actors/task-reminder'),
      name: 'task-reminder',
      port: TR.app,
      env: { ...env, DAPR_HTTP_PORT: String(TR.http) },
      logDir,
    }),
    startApp({
      dir: join(ROOT, 'services/notifier'),
      name: 'notifier',
      port: NT.app,
      env: {
        ...env,
        DAPR_HTTP_PORT: String(NT.http),
        DATABASE_URL: stack.databaseUrl,
        AUTH_JWT_SECRET: stack.jwtSecret,
        NODE_ENV: 'development',
      },
      logDir,
    }),
  );
  await Promise.all(apps.map((a) => a.ready()));
  sidecars.push(
    // A lenient app health check: with daprd's default (500 ms probe timeout, 3 failures) a busy
    // event loop marks the app unhealthy, daprd unregisters the actor type, and every reminder
    // then in flight fails; the scheduler retries each three times and then drops it.
    startSidecarWithEnv(
      stack,
      { appId: 'task-reminder', ports: TR, resourcesPath: COMPONENTS, configPath: CONFIG, logDir },
      {},
      [
        '--app-health-probe-interval',
        '5',
        '--app-health-probe-timeout',
        '5000',
        '--app-health-threshold',
        '6',
      ],
    ),
    startSidecarWithEnv(
      stack,
      { appId: 'notifier', ports: NT, resourcesPath: COMPONENTS, configPath: CONFIG, logDir },
      { NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${SINK_PORT}/hook` },
    ),
  );
  await Promise.all(sidecars.map((s) => s.ready()));
  const reminders = await followReminders();
  const notifications = openNotificationsReader(stack.databaseUrl);
  const countNotifications = () => notifications.countFor(user);

  try {
    // Warm-up: one reminder end to end, so consumer groups have joined before anything is timed.
    // A new consumer group starting at the newest message misses what was written before it
    // joined: a warm-up reminder every 10 s until one comes through.
    for (let round = 0; (await countNotifications()).n < 1; round++) {
      if (round >= 18) throw new Error(`warm-up reminders never became notifications; logs: ${logDir}`);
      await register([{ id: uuidv7(), remindAt: new Date(Date.now() + 500) }], 'warm-up');
      for (let i = 0; i < 100 && (await countNotifications()).n < 1; i++) await sleep(100);
    }
    say('warm-up reminder notified; starting');
    const baseline = await countNotifications();

    // ---------------------------------------------------------------- A: lateness
    const t0 = Date.now() + 8_000;
    const burst = Array.from({ length: BURST }, (_, i) => ({
      id: uuidv7(),
      remindAt: new Date(t0 + Math.floor((i * BURST_WINDOW_MS) / BURST)),
    }));
    const regA = await register(burst, 'burst');
    say(
      `A. registered ${BURST} reminders in ${regA.seconds.toFixed(2)} s: ${regA.rate.toFixed(0)}/s; apply call ${stats(regA.latencies)}`,
    );
    if (Date.now() > t0) say('   (registration ran past the first due time: lateness includes it)');
    const burstIds = new Set(burst.map((b) => b.id));
    const deadlineA = t0 + BURST_WINDOW_MS + 60_000;
    const dueOf = new Map<string, { at: number; due: Due }>();
    while (Date.now() < deadlineA) {
      for (const s of reminders.seen) {
        if (!s.record.key || !burstIds.has(s.record.key) || dueOf.has(s.record.key)) continue;
        dueOf.set(s.record.key, { at: s.at, due: JSON.parse(s.record.value) as Due });
      }
      if (dueOf.size >= BURST) break;
      await sleep(100);
    }
    const onKafka = [...dueOf.values()].map((d) => d.at - Date.parse(d.due.data.occurrence));
    const fired = [...dueOf.values()].map(
      (d) => Date.parse(d.due.data.fired_at) - Date.parse(d.due.data.occurrence),
    );
    say(`A. ${dueOf.size}/${BURST} fired; never early: ${fired.every((f) => f >= 0)}`);
    say(`   lateness remind_at → actor fired:         ${stats(fired)}`);
    say(`   lateness remind_at → ReminderDue on Kafka: ${stats(onKafka)}`);

    // ---------------------------------------------------------------- B: 100,000 pending
    if (PENDING > 0) {
      const estimate = (PENDING / Math.max(regA.rate, 50)) * 1.2 * 1000 + 20_000;
      const tp = Date.now() + estimate;
      const pending = Array.from({ length: PENDING }, (_, i) => ({
        id: uuidv7(),
        remindAt: new Date(tp + Math.floor((i * PENDING_WINDOW_MS) / PENDING)),
      }));
      say(
        `B. registering ${PENDING} reminders due from +${(estimate / 1000).toFixed(0)} s over ${PENDING_WINDOW_MS / 1000} s`,
      );
      const rssBefore = {
        app: rssMiB(apps[0]?.child.pid),
        daprd: rssMiB(sidecars[0]?.child.pid),
        scheduler: rssMiB(schedulerPid()),
      };
      const regB = await register(pending, 'pending');
      say(
        `B. registered ${PENDING} in ${regB.seconds.toFixed(1)} s: ${regB.rate.toFixed(0)}/s, apply ${stats(regB.latencies)}, retried calls ${regB.failures}`,
      );
      say(
        `   RSS before → with ${PENDING} pending: task-reminder ${rssBefore.app} → ${rssMiB(apps[0]?.child.pid)}, its daprd ${rssBefore.daprd} → ${rssMiB(sidecars[0]?.child.pid)}, scheduler ${rssBefore.scheduler} → ${rssMiB(schedulerPid())}`,
      );
      if (Date.now() > tp) say('   (registration ran past the first due time)');

      // ---------------------------------------------------------------- C: scheduler kill -9
      const pendingIds = new Set(pending.map((p) => p.id));
      const killAt = tp + PENDING_WINDOW_MS / 2;
      let killed = opt['no-kill'];
      const firedIds = new Map<string, number>();
      let checked = 0;
      const deadlineC = tp + PENDING_WINDOW_MS + 600_000;
      let lastReport = Date.now();
      while (Date.now() < deadlineC) {
        for (; checked < reminders.seen.length; checked++) {
          const key = reminders.seen[checked]?.record.key;
          if (key && pendingIds.has(key)) firedIds.set(key, (firedIds.get(key) ?? 0) + 1);
        }
        if (!killed && Date.now() >= killAt) {
          killed = true;
          const pid = schedulerPid();
          const before = firedIds.size;
          process.kill(pid, 'SIGKILL');
          say(`C. scheduler (pid ${pid}) killed with SIGKILL; ${before}/${PENDING} had fired`);
          await sleep(2_000);
          const t = performance.now();
          const up = spawnSync(join(ROOT, 'scripts/stack'), ['up'], { encoding: 'utf8' });
          if (up.status !== 0) throw new Error(`scripts/stack up failed: ${up.stderr}`);
          say(
            `C. scheduler restarted by scripts/stack up in ${((performance.now() - t) / 1000).toFixed(1)} s (pid ${schedulerPid()})`,
          );
        }
        if (firedIds.size >= PENDING) break;
        if (Date.now() - lastReport > 15_000) {
          lastReport = Date.now();
          say(`   ${firedIds.size}/${PENDING} fired`);
        }
        await sleep(200);
      }
      const firedAll = firedIds.size;
      const dupOnKafka = [...firedIds.values()].filter((n) => n > 1).length;
      const lastFired = Date.now() - (tp + PENDING_WINDOW_MS);
      await sleep(5_000);
      const notes = await countNotifications();
      say(
        `C. fired ${firedAll}/${PENDING} (missing ${PENDING - firedAll}); tasks whose ReminderDue reached Kafka twice: ${dupOnKafka}; all done ${(lastFired / 1000).toFixed(1)} s after the last due time`,
      );
      say(
        `C. notifications for ${PENDING} + ${BURST} + warm-up tasks: ${notes.n - baseline.n} rows over ${notes.tasks - baseline.tasks} tasks (expected ${PENDING + BURST}; a task notified twice would show as rows > tasks)`,
      );
    }
  } finally {
    await reminders.close();
    await notifications.deleteFor(user);
    await notifications.close();
    await Promise.all(sidecars.map((s) => s.stop()));
    await Promise.all(apps.map((a) => a.stop()));
    sinkChild.kill('SIGTERM');
  }
}

await main();
