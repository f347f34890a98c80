/**
 * The deployed system, through the project's own cluster (scripts/test kube deploys it first):
 * two pods of every app behind their Services, Dapr's control plane with mTLS, Kafka in the
 * cluster, PostgreSQL in the cluster, a webhook receiver in the cluster. Events are read back from
 * the in-cluster broker by kafkajs, a client that is not Dapr. Everything asserted here could fail;
 * no assertion is about speed (timeouts only bound the waiting).
 */

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/dev-token.ts';
import { type KafkaReader, type KafkaRecord, openKafkaReader } from '../support/kafka-reader.ts';
import {
  type AppId,
  apps,
  helm,
  kubectl,
  kubectlJson,
  namespace,
  podsOf,
  release,
  secrets,
  serviceUrl,
  sleep,
  viaSidecar,
  waitFor,
} from './support/cluster.ts';

const chatApi = serviceUrl(namespace, `${release}-chat-api`, 3000);
const notifier = serviceUrl(namespace, `${release}-notifier`, 3002);
const sink = serviceUrl('webhook-sink', 'webhook-sink', 3990);
const brokers = `${serviceUrl('kafka', 'kafka', 9092).replace('http://', '')}`;
const run = Date.now().toString(36);

interface Task {
  id: string;
  version: number;
  remind_at: string | null;
}
interface Notification {
  id: string;
  task_id: string;
  delivery: { status: string };
}
interface CloudEvent {
  specversion: string;
  id: string;
  type: string;
  source: string;
  subject: string;
  datacontenttype: string;
  data: { id?: string; version?: number };
}

async function user(name: string) {
  return bearer(secrets.authJwtSecret, `kube-${run}-${name}`);
}

/** POST /v1/tasks; a request that fails in transit is retried (the write was not acknowledged). */
async function createTask(auth: Record<string, string>, title: string, remindInMs?: number): Promise<Task> {
  const body = JSON.stringify({
    title,
    ...(remindInMs === undefined ? {} : { remind_at: new Date(Date.now() + remindInMs).toISOString() }),
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${chatApi}/v1/tasks`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 201) return (await res.json()) as Task;
      if (attempt >= 20 || res.status < 500)
        throw new Error(`POST /v1/tasks: ${res.status} ${await res.text()}`);
    } catch (error) {
      if (attempt >= 20) throw error;
    }
    await sleep(500);
  }
}

async function notificationsOf(auth: Record<string, string>): Promise<Notification[]> {
  const all: Notification[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `${notifier}/v1/notifications?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(url, { headers: auth, signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`GET /v1/notifications: ${res.status}`);
    const page = (await res.json()) as { items: Notification[]; next_cursor: string | null };
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

async function deliveries(): Promise<{ headers: Record<string, string>; body: { task_id?: string } }[]> {
  return (await (await fetch(`${sink}/deliveries`)).json()) as never;
}

const parsed = (records: KafkaRecord[]) =>
  records.map((r) => ({ ...r, event: JSON.parse(r.value) as CloudEvent }));
const createdOf = (records: KafkaRecord[], ids: Set<string>) =>
  parsed(records).filter((r) => r.event.type === 'todo.task.created.v1' && ids.has(r.event.subject));

/** Counts per key. */
function tally(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

let taskEvents: KafkaReader;
beforeAll(async () => {
  for (const app of apps)
    await waitFor(
      `two ready pods of ${app}`,
      () => (podsOf(app).filter((p) => p.ready).length === 2 ? true : undefined),
      180_000,
    );
  taskEvents = await openKafkaReader(brokers, 'task-events');
});
afterAll(async () => {
  await taskEvents?.close();
});

describe('the smoke path', () => {
  it('a task with a reminder becomes a notification in notifier and at the webhook receiver', async () => {
    const auth = await user('smoke');
    const task = await createTask(auth, 'smoke test on the cluster', 5_000);
    const stored = await waitFor(
      'the notification',
      async () => (await notificationsOf(auth)).find((n) => n.task_id === task.id),
      90_000,
    );
    const delivered = await waitFor(
      'the webhook delivery',
      async () => (await deliveries()).find((d) => d.body.task_id === task.id),
      60_000,
    );
    expect(stored.delivery.status).toBe('delivered');
    expect(delivered.headers['x-notification-id']).toBe(stored.id);
  });
});

describe('task events on the in-cluster broker, read by a client that is not Dapr', () => {
  it('are CloudEvents keyed by the task id, in order: created, updated, completed', async () => {
    const auth = await user('events');
    const task = await createTask(auth, 'event order');
    const patch = await fetch(`${chatApi}/v1/tasks/${task.id}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json', 'if-match': `"${task.version}"` },
      body: JSON.stringify({ title: 'event order, renamed' }),
    });
    expect(patch.status).toBe(200);
    expect(
      (await fetch(`${chatApi}/v1/tasks/${task.id}/complete`, { method: 'POST', headers: auth })).status,
    ).toBe(200);
    const mine = (rs: KafkaRecord[]) => parsed(rs).filter((r) => r.event.subject === task.id);
    const records = mine(await taskEvents.readUntil((rs) => mine(rs).length >= 3, 60_000));
    expect(records.map((r) => r.event.type)).toEqual([
      'todo.task.created.v1',
      'todo.task.updated.v1',
      'todo.task.completed.v1',
    ]);
    for (const r of records) {
      expect(r.key).toBe(task.id);
      expect(r.partition).toBe(records[0]?.partition);
      expect(r.event).toMatchObject({
        specversion: '1.0',
        source: 'chat-api',
        subject: task.id,
        datacontenttype: 'application/json',
      });
    }
    expect(new Set(records.map((r) => r.event.id)).size).toBe(3);
  });
});

describe('two pods of every app', () => {
  it('runs each app as two ready pods, each with its Dapr sidecar', () => {
    for (const app of apps) {
      const pods = podsOf(app);
      expect(
        pods.filter((p) => p.ready),
        app,
      ).toHaveLength(2);
      for (const pod of pods) {
        const containers = kubectl(
          '-n',
          namespace,
          'get',
          'pod',
          pod.name,
          '-o',
          'jsonpath={.spec.containers[*].name}',
        );
        expect(containers.split(' ').sort()).toEqual(['daprd', app].sort());
      }
    }
  });

  it('shares the outbox: 40 writes through the Service, each created event on Kafka exactly once', async () => {
    const auth = await user('outbox');
    const tasks = await Promise.all(Array.from({ length: 40 }, (_, i) => createTask(auth, `outbox ${i}`)));
    const ids = new Set(tasks.map((t) => t.id));
    const records = createdOf(
      await taskEvents.readUntil((rs) => createdOf(rs, ids).length >= ids.size, 90_000),
      ids,
    );
    // Positive control: every write's event is there, so "none twice" below is about these 40.
    expect(new Set(records.map((r) => r.event.subject))).toEqual(ids);
    expect([...tally(records.map((r) => r.event.id)).values()].filter((n) => n > 1)).toEqual([]);
  });

  it("shares the Kafka partitions in each app's consumer group", async () => {
    const kafka = new Kafka({ clientId: 'kube-test-admin', brokers: [brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const [group, topic] of [
        ['task-reminder', 'task-events'],
        ['notifier', 'reminders'],
      ] as const) {
        const { groups } = await admin.describeGroups([group]);
        const members = groups[0]?.members ?? [];
        expect(members, group).toHaveLength(2);
        const owned = members.map(
          (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [],
        );
        for (const partitions of owned)
          expect(partitions.length, `${group}: a member with no ${topic} partition`).toBeGreaterThan(0);
        expect(owned.flat().sort()).toEqual([0, 1, 2]);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('spreads the TaskReminder actors over both task-reminder pods (placement)', async () => {
    const auth = await user('actors');
    await Promise.all(Array.from({ length: 20 }, (_, i) => createTask(auth, `actor ${i}`, 3_600_000)));
    const active = (pod: string) => {
      const { status, body } = viaSidecar(pod, 'task-reminder', 'GET', '/v1.0/metadata');
      expect(status).toBe(200);
      const runtime = (
        JSON.parse(body) as { actorRuntime?: { activeActors?: { type: string; count: number }[] } }
      ).actorRuntime;
      return runtime?.activeActors?.find((a) => a.type === 'TaskReminder')?.count ?? 0;
    };
    const counts = await waitFor(
      'actors on both pods',
      () => {
        const c = podsOf('task-reminder').map((p) => active(p.name));
        return c.length === 2 && c.every((n) => n > 0) ? c : undefined;
      },
      60_000,
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
  });
});

describe('one pod of each app deleted in the middle of a stream of writes and reminders', () => {
  it('loses no write and no reminder, and notifies no task twice', async () => {
    const auth = await user('chaos');
    const tasks: Task[] = [];
    const before = Object.fromEntries(apps.map((app) => [app, podsOf(app).map((p) => p.name)])) as Record<
      AppId,
      string[]
    >;
    for (let i = 0; i < 60; i++) {
      // Reminders 20-40 s ahead: many fire while the replacements start.
      tasks.push(await createTask(auth, `chaos ${i}`, 20_000 + (i % 20) * 1_000));
      if (i === 20)
        for (const app of apps)
          kubectl('-n', namespace, 'delete', 'pod', before[app][0] ?? '', '--wait=false');
      await sleep(250);
    }
    for (const app of apps) expect(podsOf(app).map((p) => p.name)).not.toContain(before[app][0]);
    const ids = new Set(tasks.map((t) => t.id));
    const notified = await waitFor(
      'a notification for every task',
      async () => {
        const list = (await notificationsOf(auth)).filter((n) => ids.has(n.task_id));
        return new Set(list.map((n) => n.task_id)).size === ids.size ? list : undefined;
      },
      240_000,
    );
    // Positive control: all 60 arrived; then none twice, in notifier and at the receiver.
    expect([...tally(notified.map((n) => n.task_id)).values()].filter((n) => n > 1)).toEqual([]);
    const hooks = await waitFor('every webhook delivery', async () => {
      const d = (await deliveries()).filter((x) => ids.has(x.body.task_id ?? ''));
      return new Set(d.map((x) => x.body.task_id)).size === ids.size ? d : undefined;
    });
    expect(
      [...tally(hooks.map((h) => h.headers['x-notification-id'] ?? '')).values()].filter((n) => n > 1),
    ).toEqual([]);
    const created = createdOf(
      await taskEvents.readUntil((rs) => createdOf(rs, ids).length >= ids.size, 60_000),
      ids,
    );
    expect(new Set(created.map((r) => r.event.subject))).toEqual(ids);
  });
});

describe('mTLS: sentry issues every sidecar a certificate for its app-id', () => {
  const trustAnchors = Buffer.from(
    kubectl('-n', 'dapr-system', 'get', 'secret', 'dapr-trust-bundle', '-o', 'jsonpath={.data.ca\\.crt}'),
    'base64',
  ).toString('utf8');

  /** The certificate a sidecar's internal gRPC port (50002) presents, verified against `ca`. */
  function peerCertificate(
    ip: string,
    ca: string,
  ): Promise<{ authorized: boolean; error?: string; uri?: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: ip,
        port: 50002,
        ca,
        ALPNProtocols: ['h2'],
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
      socket.once('secureConnect', () => {
        const cert = socket.getPeerX509Certificate();
        const uri =
          cert && new X509Certificate(cert.raw).subjectAltName?.match(/URI:(spiffe:\/\/[^,\s]+)/)?.[1];
        resolve({
          authorized: socket.authorized,
          error: socket.authorizationError?.toString(),
          ...(uri ? { uri } : {}),
        });
        socket.destroy();
      });
      socket.once('error', reject);
      socket.setTimeout(10_000, () => reject(new Error(`no TLS handshake with ${ip}:50002`)));
    });
  }

  it('runs the control plane with mTLS on', () => {
    const config = kubectlJson('-n', 'dapr-system', 'get', 'configurations.dapr.io', 'daprsystem');
    expect(config.spec.mtls.enabled).toBe(true);
  });

  it.each(apps)(
    '%s: each pod presents spiffe://public/ns/todo/<app-id>, chained to the trust anchors',
    async (app) => {
      for (const pod of podsOf(app)) {
        const trusted = await peerCertificate(pod.ip, trustAnchors);
        expect(trusted).toMatchObject({ authorized: true, uri: `spiffe://public/ns/${namespace}/${app}` });
        // Negative control, same connection path: a CA that did not issue it does not verify it.
        const stranger = execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            '/dev/null',
            '-subj',
            '/CN=stranger',
            '-days',
            '1',
          ],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        );
        expect((await peerCertificate(pod.ip, stranger)).authorized).toBe(false);
      }
    },
  );
});

describe('access control and network policies', () => {
  it("denies chat-api's sidecar any invocation of notifier (todo-config's accessControl)", () => {
    const pod = podsOf('chat-api')[0]?.name ?? '';
    // Positive control: the same sidecar answers its own API with the same token.
    expect(viaSidecar(pod, 'chat-api', 'GET', '/v1.0/healthz').status).toBe(204);
    const denied = viaSidecar(pod, 'chat-api', 'GET', '/v1.0/invoke/notifier/method/healthz');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatch(/access control/i);
  });

  it('are rendered and accepted for the apps, PostgreSQL and the broker', () => {
    const names = (ns: string) =>
      kubectlJson<{ items: { metadata: { name: string } }[] }>('-n', ns, 'get', 'networkpolicies').items.map(
        (p) => p.metadata.name,
      );
    expect(names(namespace).sort()).toEqual(
      [...apps.map((a) => `${release}-${a}`), `${release}-postgresql`].sort(),
    );
    expect(names('kafka')).toEqual(['kafka']);
  });

  it("are not enforced by this cluster's bridge CNI (documented): chat-api still reaches task-reminder's sidecar port", async () => {
    const target = podsOf('task-reminder')[0]?.ip ?? '';
    const pod = podsOf('chat-api')[0]?.name ?? '';
    const script = `const s = require('node:net').connect(50002, process.argv[1]); s.on('connect', () => { console.log('open'); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
    expect(
      kubectl('-n', namespace, 'exec', pod, '-c', 'chat-api', '--', 'node', '-e', script, target).trim(),
    ).toBe('open');
  });
});

describe('helm upgrade to a new image tag, then helm rollback', () => {
  it('rolls every pod to the new tag with no write lost, and rolls back', async () => {
    const current = podsOf('chat-api')[0]?.image ?? '';
    const tag = current.split(':').pop() ?? '';
    const next = `${tag}-upgrade-${run}`;
    // The same images under a new tag: the Deployments change, so every pod rolls.
    for (const app of apps)
      execFileSync(process.env.CTR ?? 'ctr', [
        '--address',
        process.env.CONTAINERD_ADDRESS ?? '',
        '-n',
        'k8s.io',
        'images',
        'tag',
        '--force',
        `localhost/todo-chatbot/${app}:${tag}`,
        `localhost/todo-chatbot/${app}:${next}`,
      ]);
    const revision = Number(
      JSON.parse(helm('-n', namespace, 'history', release, '-o', 'json')).pop().revision,
    );
    const auth = await user('upgrade');
    const tasks: Task[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 400; i++) {
        tasks.push(await createTask(auth, `upgrade ${i}`));
        await sleep(200);
      }
    })();
    helm(
      '-n',
      namespace,
      'upgrade',
      release,
      `${process.env.REPO_ROOT}/charts/todo-chatbot`,
      '--reuse-values',
      '--set-string',
      `image.tag=${next}`,
      '--wait',
      '--timeout',
      '10m',
    );
    await sleep(2_000);
    writing = false;
    await writer;
    for (const app of apps) {
      const pods = podsOf(app);
      expect(
        pods.map((p) => p.image),
        app,
      ).toEqual(pods.map(() => `localhost/todo-chatbot/${app}:${next}`));
    }
    const ids = new Set(tasks.map((t) => t.id));
    expect(ids.size).toBeGreaterThan(5);
    const created = createdOf(
      await taskEvents.readUntil((rs) => createdOf(rs, ids).length >= ids.size, 90_000),
      ids,
    );
    expect(new Set(created.map((r) => r.event.subject))).toEqual(ids);

    helm('-n', namespace, 'rollback', release, String(revision), '--wait', '--timeout', '10m');
    await waitFor(
      'the old tag on every pod',
      () =>
        apps.every(
          (app) =>
            podsOf(app).length === 2 &&
            podsOf(app).every((p) => p.image === `localhost/todo-chatbot/${app}:${tag}`),
        )
          ? true
          : undefined,
      120_000,
    );
    const after = await createTask(auth, 'after the rollback', 3_000);
    await waitFor(
      'a notification after the rollback',
      async () => (await notificationsOf(auth)).find((n) => n.task_id === after.id),
      90_000,
    );
  });
});
