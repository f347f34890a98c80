/**
 * The reminder storm benchmark (a script, not a test; run it with scripts/bench-storm): the
 * whole system on the real stack (three apps, each under its own daprd), N tasks created through
 * chat-api's REST API, all with the same `remind_at` — people set reminders on round times — and
 * then, from an independent Kafka consumer of `reminders`:
 *
 *  - how late each ReminderDue was (p50/p90/p99/max), when the last one arrived, and the rate;
 *  - how many tasks got their ReminderDue more than once, and how many got none;
 *  - from notifier's table, how long until every notification was stored;
 *  - the CPU seconds each process spent during the storm, so the next bottleneck shows.
 *
 * Also the registration rate: tasks with a reminder created through the API per second, and
 * until every one's reminder is registered (task-reminder's consumer caught up).
 *
 *   scripts/bench-storm [--tasks 10000] [--concurrency 64] [--window 0] [--turns N] [--profile]
 *     [--task-reminder-daprd="--app-max-concurrency 256"] [--daprd-env="GOGC=100"] (with "=": the values start with --)
 * --turns sets task-reminder's ACTOR_MAX_TURNS; --window spreads the due times over that many seconds instead of one (the spread-load case);
 * --profile writes a V8 CPU profile of each app (`<logs>/prof/*.cpuprofile`, when the apps stop).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOPICS } from '@todo/events';
import { bearer } from '../support/dev-token.ts';
import { kafkaClient, openKafkaReader } from '../support/kafka-reader.ts';
import { openNotificationsReader } from '../support/notifications-db.ts';
import {
  childrenOf,
  cpuByProcess,
  cpuDiff,
  cpuLines,
  postgresPids,
  rssMiB,
  stackPid,
} from '../support/process-cpu.ts';
import { stackEnv } from '../support/stack-env.ts';
import { type AppName, startSystem, TASK_REMINDER_NODE_OPTIONS } from '../support/system.ts';
import { sleep } from '../support/wait.ts';

const { values: opt } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    window: { type: 'string', default: '0' },
    // task-reminder's ACTOR_MAX_TURNS (its own default when left out), to compare settings.
    turns: { type: 'string' },
    // How many users the tasks belong to [one user per task]: "10,000 users with a 9:00 reminder".
    users: { type: 'string' },
    profile: { type: 'boolean', default: false },
    // Extra flags for task-reminder's daprd, space-separated (e.g. "--app-max-concurrency 256").
    'task-reminder-daprd': { type: 'string' },
    // Environment of every daprd, space-separated NAME=value pairs (e.g. "GOGC=400").
    'daprd-env': { type: 'string' },
  },
});
const N = Number(opt.tasks);
const CONCURRENCY = Number(opt.concurrency);
const WINDOW_MS = Number(opt.window) * 1000;
const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-bench-storm-'));
const USERS = Math.max(1, Number(opt.users ?? opt.tasks));
/** Every user of this run has an id with this prefix (the notifications are counted by it). */
const userPrefix = `storm-${Date.now()}-`;
const say = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const STATE = join(stack.daprBin, '../../../state');

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}
function distribution(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.at(-1) ?? Number.NaN,
    n: s.length,
  };
}
const fmt = (d: ReturnType<typeof distribution>) =>
  `p50 ${Math.round(d.p50)} ms, p90 ${Math.round(d.p90)} ms, p99 ${Math.round(d.p99)} ms, max ${Math.round(d.max)} ms (n=${d.n})`;

function printCpu(what: string, seconds: Record<string, number>, n: number, per: string) {
  for (const line of cpuLines(what, seconds, n, per)) say(line);
}

async function main() {
  say(`starting the system (logs: ${logDir})`);
  // task-reminder's heap bounds as the system runs it, plus the profiler when asked for.
  const profiling = opt.profile ? ` --cpu-prof --cpu-prof-dir=${join(logDir, 'prof')}` : '';
  const nodeOptions = (base: string) =>
    base || profiling ? { NODE_OPTIONS: `${base}${profiling}`.trim() } : {};
  const system = await startSystem(stack, {
    logDir,
    env: {
      notifier: { LOG_LEVEL: 'warn', ...nodeOptions('') },
      'task-reminder': {
        LOG_LEVEL: 'warn',
        ...(opt.turns ? { ACTOR_MAX_TURNS: opt.turns } : {}),
        ...nodeOptions(TASK_REMINDER_NODE_OPTIONS),
      },
      'chat-api': { LOG_LEVEL: 'warn', ...nodeOptions('') },
    },
    ...(opt['daprd-env']
      ? {
          daprdEnv: Object.fromEntries(
            opt['daprd-env']
              .split(' ')
              .filter(Boolean)
              .map((pair) => {
                const at = pair.indexOf('=');
                if (at < 1) throw new Error(`--daprd-env takes NAME=value pairs, not ${pair}`);
                return [pair.slice(0, at), pair.slice(at + 1)];
              }),
          ),
        }
      : {}),
    ...(opt['task-reminder-daprd']
      ? { daprdArgs: { 'task-reminder': opt['task-reminder-daprd'].split(' ').filter(Boolean) } }
      : {}),
  });
  const reminders = await openKafkaReader(stack.kafkaBrokers, TOPICS.reminders);
  const notifications = openNotificationsReader(stack.databaseUrl);
  const tokens = new Map<number, Record<string, string>>();
  const authOf = async (u: number) => {
    let auth = tokens.get(u);
    if (!auth) {
      auth = await bearer(stack.jwtSecret, `${userPrefix}${u}`);
      tokens.set(u, auth);
    }
    return auth;
  };
  const processes = (): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const name of ['chat-api', 'task-reminder', 'notifier'] as AppName[]) {
      out[`${name} (node)`] = [system.app(name).child.pid ?? 0];
      const supervisor = system.sidecar(name).child.pid ?? 0;
      out[`${name} (daprd)`] = childrenOf(supervisor);
    }
    out.kafka = [stackPid(STATE, 'kafka')];
    out.scheduler = [stackPid(STATE, 'scheduler')];
    out.placement = [stackPid(STATE, 'placement')];
    return out;
  };
  // PostgreSQL's CPU by whose backend it is (chat-api, notifier, daprd's actor state in
  // dapr_state, ...), so the database's share shows per caller; the pool connections live on.
  const cpu = async (groups = processes(), pgPids = postgresPids()) =>
    cpuByProcess(groups, await notifications.backends(), pgPids);

  try {
    // Warm up: one task through the whole chain, so every consumer group has joined.
    const post = async (remindAt: Date, u: number) => {
      const res = await fetch(`${system.url['chat-api']}/v1/tasks`, {
        method: 'POST',
        headers: { ...(await authOf(u)), 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'storm', remind_at: remindAt.toISOString() }),
      });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    await post(new Date(Date.now() + 1_000), 0);
    for (let i = 0; i < 600 && (await notifications.countForPrefix(userPrefix)).n < 1; i++) await sleep(100);
    say('warm: a first reminder went the whole way');

    // The due second: far enough ahead that every task is created and registered first.
    const due = new Date(Math.ceil((Date.now() + 30_000 + (N / 200) * 1000) / 1000) * 1000);
    say(
      `creating ${N} tasks of ${USERS} users due at ${due.toISOString()}${WINDOW_MS ? ` over ${WINDOW_MS / 1000} s` : ''}, ${CONCURRENCY} at a time`,
    );
    const remindAt = new Map<string, number>();
    // Registration is done when task-reminder's consumer group has taken every created event:
    // task-events grew by N, and the group's committed offsets reached its end.
    const admin = kafkaClient(stack.kafkaBrokers, 'bench-storm-admin').admin();
    await admin.connect();
    const sum = (offsets: { offset: string }[]) => offsets.reduce((n, o) => n + Number(o.offset), 0);
    const topicEnd = async () => sum(await admin.fetchTopicOffsets(TOPICS.taskEvents));
    const taskEventsBefore = await topicEnd();
    const registered = async () => {
      const end = await topicEnd();
      if (end - taskEventsBefore < N) return false;
      const [group] = await admin.fetchOffsets({ groupId: 'task-reminder', topics: [TOPICS.taskEvents] });
      return sum(group?.partitions ?? []) >= end;
    };
    const cpuBeforeCreate = await cpu();
    const createStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < N; i = next++) {
          const at = due.getTime() + (WINDOW_MS ? Math.floor((i / N) * WINDOW_MS) : 0);
          remindAt.set(await post(new Date(at), i % USERS), at);
        }
      }),
    );
    const createSeconds = (Date.now() - createStart) / 1000;
    say(
      `created ${N} in ${createSeconds.toFixed(1)} s: ${(N / createSeconds).toFixed(0)} tasks/s through the API`,
    );
    let allRegistered = false;
    while (!allRegistered && Date.now() < due.getTime() - 3_000) {
      allRegistered = await registered();
      if (!allRegistered) await sleep(200);
    }
    const registerSeconds = (Date.now() - createStart) / 1000;
    await admin.disconnect();
    say(
      allRegistered
        ? `every reminder registered ${registerSeconds.toFixed(1)} s after the first create: ${(N / registerSeconds).toFixed(0)}/s (task-reminder's consumer caught up)`
        : `WARNING: registration still under way 3 s before the due second (${registerSeconds.toFixed(1)} s after the first create): the storm's figures include it`,
    );
    const lead = due.getTime() - Date.now();
    if (lead < 5_000)
      say(`WARNING: only ${lead} ms before the due second; registration may have lagged into it`);
    const cpuRegistration = cpuDiff(await cpu(), cpuBeforeCreate);
    const rssAtRest = { 'task-reminder (node)': rssMiB(system.app('task-reminder').child.pid ?? 0) };
    say(`task-reminder's RSS with ${N} reminders pending: ${rssAtRest['task-reminder (node)']} MiB`);
    printCpu('CPU while creating and registering', cpuRegistration, N, 'task');

    await sleep(Math.max(0, due.getTime() - Date.now() - 2_000));
    const cpuBefore = await cpu();
    say('the due second is 2 s away: watching');
    const firstSeen = new Map<string, number>();
    const count = new Map<string, number>();
    let storedAt: number | undefined;
    const deadline = due.getTime() + WINDOW_MS + 300_000;
    let seen = 0;
    let progressAt = Date.now();
    let countedAt = 0;
    // Each second: how many fired, and which processes spent the CPU (the storm's ramp shows).
    const timeline: { after_due_s: number; on_kafka: number; cpu_seconds: Record<string, number> }[] = [];
    let sampled = { at: Date.now(), cpu: cpuBefore };
    // The same processes each second, found once: pgrep is a synchronous child process, and a
    // stalled loop would only delay this bench, not the system (arrivals carry their own time).
    const watched = processes();
    const watchedPg = postgresPids();
    while (Date.now() < deadline) {
      if (Date.now() - sampled.at >= 1_000) {
        const reading = { at: Date.now(), cpu: await cpu(watched, watchedPg) };
        timeline.push({
          after_due_s: Math.round((reading.at - due.getTime()) / 100) / 10,
          on_kafka: firstSeen.size,
          cpu_seconds: cpuDiff(reading.cpu, sampled.cpu),
        });
        sampled = reading;
      }
      if (Date.now() - progressAt >= 5_000) {
        progressAt = Date.now();
        say(
          `  ${((Date.now() - due.getTime()) / 1000).toFixed(0)} s after the due second: ${firstSeen.size}/${N} on Kafka`,
        );
      }
      const records = await reminders.readUntil(() => true, 0);
      for (; seen < records.length; seen++) {
        const r = records[seen];
        if (!r?.key || !remindAt.has(r.key)) continue;
        count.set(r.key, (count.get(r.key) ?? 0) + 1);
        if (!firstSeen.has(r.key)) firstSeen.set(r.key, r.receivedAt);
      }
      // Counted every 250 ms (an index range scan of this run's rows), so ±250 ms.
      if (storedAt === undefined && Date.now() - countedAt >= 250) {
        countedAt = Date.now();
        if ((await notifications.countForPrefix(userPrefix)).tasks >= N + 1) storedAt = Date.now();
      }
      if (firstSeen.size >= N && storedAt !== undefined) break;
      await sleep(50);
    }
    // A second on: any late duplicate shows too.
    await sleep(3_000);
    for (const r of (await reminders.readUntil(() => true, 0)).slice(seen))
      if (r.key && remindAt.has(r.key)) count.set(r.key, (count.get(r.key) ?? 0) + 1);
    const cpuAfter = await cpu();
    const lateness = [...firstSeen].map(([id, at]) => at - (remindAt.get(id) ?? at));
    const lastArrival = Math.max(...firstSeen.values());
    const end = due.getTime() + WINDOW_MS;
    const result = {
      tasks: N,
      users: USERS,
      window_s: WINDOW_MS / 1000,
      created_per_s: Math.round(N / createSeconds),
      registered_per_s: allRegistered ? Math.round(N / registerSeconds) : null,
      lateness_ms: distribution(lateness),
      last_on_kafka_after_due_s: (lastArrival - end) / 1000,
      fired_per_s: Math.round(firstSeen.size / Math.max(0.001, (lastArrival - due.getTime()) / 1000)),
      published_more_than_once: [...count.values()].filter((c) => c > 1).length,
      missing: N - firstSeen.size,
      all_notifications_stored_after_due_s: storedAt === undefined ? null : (storedAt - end) / 1000,
      cpu_seconds: cpuDiff(cpuAfter, cpuBefore),
      timeline,
      cpu_seconds_registration: cpuRegistration,
      rss_mib_before_storm: rssAtRest,
    };
    say(`lateness (remind_at → ReminderDue seen on Kafka): ${fmt(result.lateness_ms)}`);
    say(
      WINDOW_MS
        ? `last ReminderDue ${result.last_on_kafka_after_due_s.toFixed(1)} s after the window's last due time, ` +
            `${(result.last_on_kafka_after_due_s + WINDOW_MS / 1000).toFixed(1)} s after its first; ${result.fired_per_s}/s`
        : `last ReminderDue ${result.last_on_kafka_after_due_s.toFixed(1)} s after the due second; ${result.fired_per_s}/s`,
    );
    say(`published more than once: ${result.published_more_than_once}; missing: ${result.missing}`);
    say(
      `every notification stored ${result.all_notifications_stored_after_due_s ?? 'NOT'} s after the due second`,
    );
    printCpu('CPU during the storm', result.cpu_seconds, N, 'reminder');
    say('second by second (ReminderDue first seen on Kafka in that second; CPU seconds of the busiest):');
    let before = 0;
    for (const { after_due_s, on_kafka, cpu_seconds } of timeline) {
      const total = Object.values(cpu_seconds).reduce((a, b) => a + b, 0);
      const busiest = Object.entries(cpu_seconds)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ');
      say(
        `  ${after_due_s.toFixed(1).padStart(6)} s  +${String(on_kafka - before).padStart(5)}  CPU ${total.toFixed(2)}: ${busiest}`,
      );
      before = on_kafka;
    }
    const file = join(STATE, `bench/storm-${N}-${Date.now()}.json`);
    mkdirSync(join(STATE, 'bench'), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2));
    say(`figures written to ${file}`);
  } finally {
    await notifications.deleteForPrefix(userPrefix);
    await notifications.close();
    await reminders.close();
    await system.stop();
  }
}

await main();
