/**
 * The chart's security settings, as rendered: Dapr access control, NetworkPolicies, what pod
 * annotations reveal. Whether a cluster accepts them is scripts/chart-test's (kubectl-validate, a
 * real API server) and scripts/test kube's (the project's own cluster) concern.
 */
import { describe, expect, it } from 'vitest';
import { appFacts } from './apps.ts';
import { findDoc, type K8sObject, release, renderChart } from './helm.ts';

const { apps } = appFacts();
const docs = renderChart(['values-minikube.yaml']);
const policies = docs.filter((d) => d.kind === 'NetworkPolicy');

interface Rule {
  ports?: { port: number }[];
  from?: { podSelector?: { matchLabels: Record<string, string> } }[];
}
const rulesOf = (policy: K8sObject) => (policy.spec.ingress ?? []) as Rule[];
const portsOf = (policy: K8sObject) => rulesOf(policy).flatMap((r) => (r.ports ?? []).map((p) => p.port));

describe('Dapr access control (todo-config)', () => {
  const config = findDoc(docs, 'Configuration', 'todo-config');

  it('denies every service invocation between the apps: none invokes another', () => {
    expect(config.spec.accessControl).toEqual({ defaultAction: 'deny', trustDomain: 'public', policies: [] });
  });

  it('is the Configuration every sidecar runs with', () => {
    for (const d of docs.filter((doc) => doc.kind === 'Deployment'))
      expect(d.spec.template.metadata.annotations['dapr.io/config']).toBe('todo-config');
  });
});

describe('NetworkPolicies', () => {
  it('select the pods of every app and of PostgreSQL, ingress only', () => {
    const names = policies.map((p) => p.metadata.name).sort();
    expect(names).toEqual([...apps.map((a) => `${release}-${a.appId}`), `${release}-postgresql`].sort());
    for (const p of policies) expect(p.spec.policyTypes).toEqual(['Ingress']);
  });

  it("open chat-api's and notifier's HTTP ports and nothing else of theirs", () => {
    for (const app of apps.filter((a) => a.appId !== 'task-reminder'))
      expect(portsOf(findDoc(policies, 'NetworkPolicy', `${release}-${app.appId}`))).toEqual([app.appPort]);
  });

  it("open task-reminder's sidecar port to task-reminder pods only (actor calls between its hosts)", () => {
    const deployment = findDoc(docs, 'Deployment', `${release}-task-reminder`);
    const rules = rulesOf(findDoc(policies, 'NetworkPolicy', `${release}-task-reminder`));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.ports).toEqual([{ port: 50002, protocol: 'TCP' }]);
    expect(rules[0]?.from).toEqual([{ podSelector: { matchLabels: deployment.spec.selector.matchLabels } }]);
  });

  it('let only the apps and the migration Job reach PostgreSQL', () => {
    const rules = rulesOf(findDoc(policies, 'NetworkPolicy', `${release}-postgresql`));
    expect(rules.flatMap((r) => r.ports?.map((p) => p.port))).toEqual([5432]);
    const components = rules
      .flatMap((r) => r.from ?? [])
      .map((f) => f.podSelector?.matchLabels['app.kubernetes.io/component']);
    expect(components.sort()).toEqual([...apps.map((a) => a.appId), 'migrations'].sort());
  });
});

describe('what the pods show', () => {
  it('carry no hash of a Secret in their annotations', () => {
    for (const d of docs.filter((doc) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet')) {
      const annotations = Object.keys(d.spec.template.metadata.annotations ?? {});
      expect(annotations.filter((a) => a.includes('secret') && a.startsWith('checksum/'))).toEqual([]);
    }
  });
});
