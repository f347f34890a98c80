/**
 * chat-api's write path, measured on the real stack (run by scripts/bench-chat-api).
 *
 * 1. Task write → event on Kafka: POST /v1/tasks at 100, 500 and 1,000 writes/s (open loop),
 *    latency from the request's start to the Kafka record's timestamp (set by the producer in
 *    daprd, so it is "on Kafka", not "read by a consumer"), and to an independent consumer.
 * 2. The highest sustained write rate: closed loop, N clients, until the relay keeps up.
 * 3. The Dapr publish path against a direct Kafka client (kafkajs), the same messages in the
 *    same run: latency of one publish, acknowledged by the broker.
 *
 * BENCH_SEED_TASKS=100000 first puts that many tasks in the database, written straight to the
 * tasks table (no events): 100 for each of the benchmark's users, half of them completed, so
 * every figure is measured again with a full table and users with a history.
 *
 * It prints figures; it asserts nothing.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@todo/events';
import type { AppProcess } from '../support/app-process.ts';
import { seedTasks } from '../support/bench-seed-db.ts';
import { startChatApi, startChatApiSidecar } from '../support/chat-api-process.ts';
import { bearer } from '../support/dev-token.ts';
import { kafkaClient } from '../support/kafka-reader.ts';
import { openNotificationsReader } from '../support/notifications-db.ts';
import { cpuByProcess, cpuDiff, cpuLines, stackPid } from '../support/process-cpu.ts';
import type { SidecarProcess } from '../support/sidecar-process.ts';
import { stackEnv } from '../support/stack-env.ts';

const stack = stackEnv();
const logDir = mkdtempSync(join(tmpdir(), 'todo-bench-'));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '100,500,1000').split(',').map(Number);
const user = `bench-${Date.now()}`;
/**
 * The writes are spread over this many users, as a real load is: one user's every create counts
 * that user's open tasks (the quota), so a single user with tens of thousands measured the count.
 */
const USERS = 1000;
const SEED = Number(process.env.BENCH_SEED_TASKS ?? 0);

const say = (s: string) => process.stderr.write(`==> ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}
const fmt = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));

interface Seen {
  kafkaTs: number;
  consumedAt: number;
}

async function main() {
  say(`logs of this run: ${logDir}`);
  if (SEED > 0) await seedTasks(stack.databaseUrl, { n: SEED, userPrefix: `${user}-`, users: USERS, say });
  const kafka = kafkaClient(stack.kafkaBrokers, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  await admin.disconnect();

  // The consumer: records when each task's created event reached Kafka and was read back.
  const seen = new Map<string, Seen>();
  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'task-events', fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const key = message.key?.toString();
      if (key && !seen.has(key))
        seen.set(key, { kafkaTs: Number(message.timestamp), consumedAt: Date.now() });
    },
  });
  await joined;

  say('starting chat-api and its daprd');
  // BENCH_NODE_OPTIONS goes to chat-api's node (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const nodeOptions = process.env.BENCH_NODE_OPTIONS;
  const app: AppProcess = startChatApi(stack, logDir, {
    LOG_LEVEL: 'warn',
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  });
  await app.ready();
  const sidecar: SidecarProcess = startChatApiSidecar(stack, logDir);
  await sidecar.ready();
  // CPU per process for each phase; PostgreSQL's backends by who they serve.
  const state = join(stack.daprBin, '../../../state');
  const pg = openNotificationsReader(stack.databaseUrl);
  const cpu = async () =>
    cpuByProcess(
      {
        'chat-api (node)': [app.child.pid ?? 0],
        'chat-api (daprd)': [sidecar.child.pid ?? 0],
        kafka: [stackPid(state, 'kafka')],
        'benchmark (node)': [process.pid],
      },
      await pg.backends(),
    );
  const cpuReport: string[] = [];
  const headersOf = await Promise.all(
    Array.from({ length: USERS }, async (_, u) => ({
      ...(await bearer(stack.jwtSecret, `${user}-${u}`)),
      'content-type': 'application/json',
    })),
  );

  // The load generator shares the machine's cores with what it measures: it sends with node:http
  // over kept-alive connections, which costs about half the CPU of fetch per request (the
  // benchmark's own CPU is printed with the rest).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  function post(n: number): Promise<{ status: number; body: string }> {
    const body = JSON.stringify({ title: `bench ${n}`, tags: ['bench'] });
    return new Promise((resolve, reject) => {
      const req = http.request(`${app.url}/v1/tasks`, {
        method: 'POST',
        agent,
        headers: { ...headersOf[n % USERS], 'content-length': Buffer.byteLength(body) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      });
      req.end(body);
    });
  }

  async function write(n: number): Promise<{ id?: string; start: number; end: number; status: number }> {
    const start = Date.now();
    try {
      const res = await post(n);
      const id = res.status === 201 ? (JSON.parse(res.body) as { id?: string }).id : undefined;
      return { ...(id ? { id } : {}), start, end: Date.now(), status: res.status };
    } catch {
      return { start, end: Date.now(), status: 0 };
    }
  }

  async function pending(): Promise<number> {
    const text = await (
      await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } })
    ).text();
    return Number(/^outbox_pending (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  }

  async function drain(timeoutMs = 60_000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs && (await pending()) > 0) await sleep(50);
    return Date.now() - t0;
  }

  // Warm-up: connections, JIT, Kafka metadata.
  say('warming up (200 writes)');
  await Promise.all(Array.from({ length: 200 }, (_, i) => write(i)));
  await drain();

  const results: Record<string, unknown> = { seededTasks: SEED };
  const table: string[] = [];

  // 1. Open loop at fixed rates.
  for (const rate of RATES) {
    say(`open loop: ${rate} writes/s for ${SECONDS} s`);
    const writes: Promise<Awaited<ReturnType<typeof write>>>[] = [];
    const total = rate * SECONDS;
    const cpuBefore = await cpu();
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      writes.push(write(i));
    }
    const done = await Promise.all(writes);
    const elapsed = (performance.now() - t0) / 1000;
    const drainMs = await drain();
    const cpuSpent = cpuDiff(await cpu(), cpuBefore);
    cpuReport.push(
      ...cpuLines(`CPU at ${rate} writes/s, until the outbox drained`, cpuSpent, total, 'write'),
    );
    const deadline = Date.now() + 30_000;
    const ok = done.filter((w) => w.status === 201 && w.id);
    while (Date.now() < deadline && ok.some((w) => !seen.has(w.id as string))) await sleep(50);
    const toKafka = ok.flatMap((w) =>
      seen.has(w.id as string) ? [(seen.get(w.id as string) as Seen).kafkaTs - w.start] : [],
    );
    const toConsumer = ok.flatMap((w) =>
      seen.has(w.id as string) ? [(seen.get(w.id as string) as Seen).consumedAt - w.start] : [],
    );
    const http = done.map((w) => w.end - w.start);
    const row = {
      rate,
      achieved: total / elapsed,
      errors: done.length - ok.length,
      missing: ok.length - toKafka.length,
      http: { p50: pct(http, 0.5), p99: pct(http, 0.99) },
      toKafka: { p50: pct(toKafka, 0.5), p95: pct(toKafka, 0.95), p99: pct(toKafka, 0.99) },
      toConsumer: { p50: pct(toConsumer, 0.5), p99: pct(toConsumer, 0.99) },
      drainMs,
      cpuSeconds: cpuSpent,
    };
    results[`rate_${rate}`] = row;
    table.push(
      `${String(rate).padStart(5)}/s  sent ${fmt(row.achieved).padStart(6)}/s  errors ${row.errors}  missing ${row.missing}  ` +
        `HTTP p50 ${fmt(row.http.p50)} p99 ${fmt(row.http.p99)} ms | write→Kafka p50 ${fmt(row.toKafka.p50)} p95 ${fmt(row.toKafka.p95)} ` +
        `p99 ${fmt(row.toKafka.p99)} ms | write→consumer p50 ${fmt(row.toConsumer.p50)} p99 ${fmt(row.toConsumer.p99)} ms`,
    );
  }

  // 2. The highest sustained rate: closed loop, 64 clients.
  const clients = Number(process.env.BENCH_CLIENTS ?? 64);
  say(`closed loop: ${clients} clients for ${SECONDS} s`);
  let count = 0;
  let failures = 0;
  let maxPending = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  const watcher = (async () => {
    while (Date.now() < stopAt) {
      maxPending = Math.max(maxPending, await pending());
      await sleep(250);
    }
  })();
  const t1 = performance.now();
  const cpuBeforeClosed = await cpu();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < stopAt) {
        const w = await write(count);
        if (w.status === 201) count++;
        else failures++;
      }
    }),
  );
  const closedSeconds = (performance.now() - t1) / 1000;
  await watcher;
  const closedDrain = await drain(120_000);
  const cpuClosed = cpuDiff(await cpu(), cpuBeforeClosed);
  cpuReport.push(
    ...cpuLines(`CPU in the closed loop, until the outbox drained`, cpuClosed, Math.max(1, count), 'write'),
  );
  const sustained = {
    clients,
    writesPerSecond: count / closedSeconds,
    failures,
    maxOutboxPending: maxPending,
    drainAfterMs: closedDrain,
    cpuSeconds: cpuClosed,
  };
  results.sustained = sustained;

  // 3. Publish path: Dapr (HTTP publish through daprd, as the relay does) against kafkajs.
  const N = Number(process.env.BENCH_PUBLISH ?? 2000);
  say(`publish path: ${N} messages through daprd, then the same through kafkajs`);
  const messages = Array.from({ length: N }, (_, i) => ({
    key: `k${i % 50}`,
    value: JSON.stringify({
      specversion: '1.0',
      id: `bench-${i}`,
      type: 'bench.v1',
      source: 'bench',
      subject: `k${i % 50}`,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { n: i, pad: 'x'.repeat(300) },
    }),
  }));
  // Both to task-updates: chat-api's sidecar may publish only to its own topics (publishingScopes;
  // a topic of the benchmark's own got 403 for every message), and notifier's group is moved past
  // them below. The comparison is the same as long as both clients write the same messages to
  // the same topic.
  const daprTimes: number[] = [];
  const daprRefusals = new Map<number, number>();
  for (const m of messages) {
    const t = performance.now();
    const res = await fetch(
      `${sidecar.httpUrl}/v1.0/publish/kafka-pubsub/${TOPICS.taskUpdates}?metadata.partitionKey=${m.key}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': stack.daprApiToken },
        body: m.value,
      },
    );
    await res.arrayBuffer();
    if (res.status === 204) daprTimes.push(performance.now() - t);
    else daprRefusals.set(res.status, (daprRefusals.get(res.status) ?? 0) + 1);
  }
  if (daprRefusals.size > 0)
    say(`Dapr publishes not accepted, by status: ${JSON.stringify(Object.fromEntries(daprRefusals))}`);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const directTimes: number[] = [];
  for (const m of messages) {
    const t = performance.now();
    await producer.send({ topic: TOPICS.taskUpdates, acks: -1, messages: [{ key: m.key, value: m.value }] });
    directTimes.push(performance.now() - t);
  }
  await producer.disconnect();
  const publish = {
    n: N,
    dapr: { ok: daprTimes.length, p50: pct(daprTimes, 0.5), p99: pct(daprTimes, 0.99) },
    direct: { ok: directTimes.length, p50: pct(directTimes, 0.5), p99: pct(directTimes, 0.99) },
    ratioP50: pct(daprTimes, 0.5) / pct(directTimes, 0.5),
  };
  results.publish = publish;

  await consumer.disconnect();
  await pg.close();
  await sidecar.stop();
  await app.stop();

  // The benchmark's tasks have no reminders, but task-reminder would still have to apply every
  // one of their events (tens of thousands) before anything newer. Move its consumer group past
  // them, as its sidecar is not running now (a live group cannot be moved).
  const cleanup = kafka.admin();
  await cleanup.connect();
  for (const [groupId, topic] of [
    ['task-reminder', TOPICS.taskEvents],
    ['notifier', TOPICS.taskUpdates],
  ] as const) {
    try {
      // The topic's end offsets, set explicitly: kafkajs' resetOffsets({ earliest: false })
      // commits -1 ("latest") literally, which Kafka keeps as no offset at all, so the apps'
      // consumers fell back to initialOffset: oldest and read the whole topic again (the next
      // storm benchmark then spent minutes re-applying every old task event).
      const ends = await cleanup.fetchTopicOffsets(topic);
      await cleanup.setOffsets({
        groupId,
        topic,
        partitions: ends.map(({ partition, offset }) => ({ partition, offset })),
      });
      say(`moved consumer group ${groupId} past the benchmark's events on ${topic}`);
    } catch (err) {
      say(`could not move consumer group ${groupId} past the benchmark's events (${(err as Error).message})`);
    }
  }
  await cleanup.disconnect();

  const out = join(process.env.TODO_STATE_DIR ?? logDir, 'bench');
  mkdirSync(out, { recursive: true });
  const file = join(out, `outbox-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));

  console.log(
    '\nchat-api write path on the local stack (one machine: app, daprd, Kafka and PostgreSQL share its cores)',
  );
  if (SEED > 0) console.log(`with ${SEED} tasks seeded first (100 per user, half completed)`);
  console.log(`open loop, ${SECONDS} s per rate:`);
  for (const line of table) console.log(`  ${line}`);
  console.log(
    `closed loop, ${clients} clients: ${fmt(sustained.writesPerSecond)} writes/s sustained, ${failures} failed, ` +
      `outbox peak ${maxPending}, drained ${closedDrain} ms after the load stopped`,
  );
  console.log(
    `publish, ${N} sequential messages: Dapr p50 ${fmt(publish.dapr.p50)} p99 ${fmt(publish.dapr.p99)} ms; ` +
      `kafkajs p50 ${fmt(publish.direct.p50)} p99 ${fmt(publish.direct.p99)} ms; Dapr/direct p50 ratio ${fmt(publish.ratioP50)}×`,
  );
  for (const line of cpuReport) console.log(line);
  console.log(`figures as JSON: ${file}`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
