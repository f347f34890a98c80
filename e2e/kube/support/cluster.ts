/**
 * What the tests of the deployed system need from the project's cluster. They run inside the
 * cluster's network namespace (`scripts/cluster exec`, which scripts/test kube uses), so Service
 * and pod IPs answer directly and kubectl/helm find the cluster through KUBECONFIG.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const namespace = 'todo';
export const release = 'todo-chatbot';
export const apps = ['chat-api', 'task-reminder', 'notifier'] as const;
export type AppId = (typeof apps)[number];

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with scripts/test kube`);
  return value;
}

export function kubectl(...args: string[]): string {
  return execFileSync(need('KUBECTL'), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects, read field by field by the tests.
export function kubectlJson<T = any>(...args: string[]): T {
  return JSON.parse(kubectl(...args, '-o', 'json')) as T;
}
export function helm(...args: string[]): string {
  return execFileSync(need('HELM'), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

interface Secrets {
  secrets: { authJwtSecret: string; tokens: Record<AppId, { daprApiToken: string; appApiToken: string }> };
}
export const secrets = (JSON.parse(readFileSync(need('TODO_CLUSTER_SECRETS'), 'utf8')) as Secrets).secrets;

export function serviceUrl(ns: string, name: string, port: number): string {
  const ip = kubectl('-n', ns, 'get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}').trim();
  return `http://${ip}:${port}`;
}

export interface Pod {
  name: string;
  ip: string;
  image: string;
  ready: boolean;
  uid: string;
}
interface PodObject {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string }[] };
  status: { phase: string; podIP: string; conditions?: { type: string; status: string }[] };
}
/** The running pods of one app, with their app container's image. */
export function podsOf(app: AppId): Pod[] {
  const list = kubectlJson<{ items: PodObject[] }>(
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${app}`,
  );
  return list.items
    .filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp)
    .map((p) => ({
      name: p.metadata.name,
      ip: p.status.podIP,
      uid: p.metadata.uid,
      image: p.spec.containers.find((c) => c.name === app)?.image ?? '',
      ready: (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    }));
}

/**
 * Calls the sidecar of one pod from inside its app container (daprd's HTTP API listens on the
 * pod's loopback only), with that app's own API token. Returns the status and body.
 */
export function viaSidecar(
  pod: string,
  app: AppId,
  method: string,
  path: string,
  body?: unknown,
): { status: number; body: string } {
  const script = `
    const r = await fetch('http://127.0.0.1:3500' + process.argv[1], {
      method: process.argv[2],
      headers: { 'dapr-api-token': process.env.DAPR_API_TOKEN, 'content-type': 'application/json' },
      body: process.argv[3] || undefined,
    });
    console.log(JSON.stringify({ status: r.status, body: await r.text() }));`;
  const out = kubectl(
    '-n',
    namespace,
    'exec',
    pod,
    '-c',
    app,
    '--',
    'node',
    '--input-type=module',
    '-e',
    script,
    path,
    method,
    body === undefined ? '' : JSON.stringify(body),
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
