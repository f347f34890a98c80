/**
 * Renders the chart with the pinned helm and parses the manifests, for the chart tests.
 *
 * helm comes from `$HELM` (scripts/chart-test exports it) or, when the tests run alone, from
 * scripts/provision/k8s-tools.sh, which builds it into the cache once and prints its path.
 *
 * @example
 * const docs = renderChart(['values-minikube.yaml']);
 * const chatApi = findDoc(docs, 'Deployment', 'todo-chatbot-chat-api');
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const chartDir = join(repoRoot, 'charts/todo-chatbot');
export const fixturesDir = join(repoRoot, 'charts/tests/fixtures');
/** Kubernetes version the manifests are rendered for (kubectl-validate 0.0.4 knows up to 1.30). */
export const kubeVersion = process.env.KUBE_VERSION ?? '1.30.0';
/** The release name the tests render with; resource names are `<release>-<app-id>`. */
export const release = 'todo-chatbot';

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field by the tests.
  spec?: any;
  scopes?: string[];
  [key: string]: unknown;
}

let helmPath: string | undefined;
function helm(): string {
  if (helmPath) return helmPath;
  if (process.env.HELM) {
    helmPath = process.env.HELM;
    return helmPath;
  }
  const exports = execFileSync(join(repoRoot, 'scripts/provision/k8s-tools.sh'), { encoding: 'utf8' });
  const found = /HELM=(\S+)/.exec(exports)?.[1];
  if (!found || !existsSync(found))
    throw new Error(`scripts/provision/k8s-tools.sh gave no helm: ${exports}`);
  helmPath = found;
  return helmPath;
}

/** Runs `helm template` with the given values files (relative to the chart, or absolute). */
export function helmTemplate(
  valuesFiles: string[],
  set: string[] = [],
): { ok: boolean; stdout: string; stderr: string } {
  const args = ['template', release, chartDir, '--namespace', 'todo', '--kube-version', kubeVersion];
  for (const file of valuesFiles) args.push('--values', resolve(chartDir, file));
  for (const s of set) args.push('--set', s);
  const run = spawnSync(helm(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: run.status === 0, stdout: run.stdout, stderr: run.stderr };
}

/** Parses a YAML stream into its non-empty documents. */
export function parseDocs(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((doc): doc is K8sObject => doc !== null && typeof doc === 'object');
}

/** Renders the chart (the test secrets are always added last but before `extra`) and parses it. */
export function renderChart(valuesFiles: string[] = [], extra: string[] = []): K8sObject[] {
  const files = [...valuesFiles, join(fixturesDir, 'secrets.yaml'), ...extra];
  const out = helmTemplate(files);
  if (!out.ok) throw new Error(`helm template ${files.join(' ')} failed:\n${out.stderr}`);
  return parseDocs(out.stdout);
}

export function findDoc(docs: K8sObject[], kind: string, name: string): K8sObject {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!doc) {
    const have = docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; rendered: ${have}`);
  }
  return doc;
}
