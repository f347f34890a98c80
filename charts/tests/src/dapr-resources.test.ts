import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDoc, fixturesDir, type K8sObject, parseDocs, renderChart, repoRoot } from './helm.ts';

/**
 * Every Dapr resource of dapr-components/ (whatever files appear there) must have a Kubernetes twin
 * in the chart with the same kind, name, type and scopes. Metadata items the self-hosted file reads
 * from the environment (envRef), or that are deployment-specific by nature, may differ in value.
 */
const componentsDir = join(repoRoot, 'dapr-components');
const local = readdirSync(componentsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((file) =>
    parseDocs(readFileSync(join(componentsDir, file), 'utf8'))
      .filter((doc) => doc.apiVersion?.startsWith('dapr.io/'))
      .map((doc) => ({ file, doc })),
  );
// Everything switched on, so every optional resource renders.
const rendered = renderChart(['values.yaml'], [join(fixturesDir, 'render/all-dapr-resources.yaml')]).filter(
  (d) => d.apiVersion.startsWith('dapr.io/'),
);

/** Metadata whose value legitimately differs between a laptop and a cluster. */
const deploymentSpecific = new Set(['brokers', 'connectionString', 'url', 'schedule']);

interface MetadataItem {
  name: string;
  value?: unknown;
  envRef?: string;
  secretKeyRef?: unknown;
}

const sorted = (list: string[] | undefined) => [...(list ?? [])].sort();

function twinOf(doc: K8sObject): K8sObject {
  const twin = rendered.find((r) => r.kind === doc.kind && r.metadata.name === doc.metadata.name);
  if (!twin) {
    const have = rendered.map((r) => `${r.kind}/${r.metadata.name}`).join(', ');
    throw new Error(`the chart renders no ${doc.kind}/${doc.metadata.name}; it renders ${have}`);
  }
  return twin;
}

describe('the chart renders a twin of every resource in dapr-components/', () => {
  it('finds Dapr resources in dapr-components/', () => {
    expect(local.length).toBeGreaterThan(0);
  });

  describe.each(local)('$file: $doc.kind/$doc.metadata.name', ({ doc }) => {
    it('exists with the same apiVersion and scopes', () => {
      const twin = twinOf(doc);
      expect(twin.apiVersion).toBe(doc.apiVersion);
      expect(sorted(twin.scopes)).toEqual(sorted(doc.scopes));
    });

    if (doc.kind === 'Component')
      it('has the same type, version and metadata', () => {
        const twin = twinOf(doc);
        expect(twin.spec.type).toBe(doc.spec.type);
        expect(twin.spec.version ?? 'v1').toBe(doc.spec.version ?? 'v1');
        const mine = new Map((twin.spec.metadata as MetadataItem[]).map((m) => [m.name, m]));
        const theirs = doc.spec.metadata as MetadataItem[];
        expect([...mine.keys()].sort()).toEqual(theirs.map((m) => m.name).sort());
        for (const item of theirs) {
          if (item.envRef !== undefined || deploymentSpecific.has(item.name)) {
            // A value, or a secret reference, where the laptop reads its environment: never envRef
            // on Kubernetes, where daprd's environment is not the app's.
            expect(mine.get(item.name)?.envRef, `${item.name} must not use envRef`).toBeUndefined();
            continue;
          }
          expect(mine.get(item.name)?.value, `metadata ${item.name}`).toEqual(item.value);
        }
      });

    if (doc.kind === 'Subscription')
      it('delivers the same topic to the same route, with its dead-letter topic', () => {
        const twin = twinOf(doc);
        for (const field of ['pubsubname', 'topic', 'deadLetterTopic', 'routes', 'route', 'bulkSubscribe']) {
          expect(twin.spec[field], field).toEqual(doc.spec[field]);
        }
      });

    if (doc.kind === 'Resiliency')
      it('targets the same actors and components with the same policies', () => {
        const twin = twinOf(doc);
        for (const kind of ['timeouts', 'retries', 'circuitBreakers']) {
          expect(Object.keys(twin.spec.policies[kind] ?? {}).sort(), kind).toEqual(
            expect.arrayContaining(Object.keys(doc.spec.policies[kind] ?? {})),
          );
        }
        for (const [kind, targets] of Object.entries(doc.spec.targets ?? {})) {
          for (const [name, target] of Object.entries(targets as Record<string, unknown>)) {
            expect(twin.spec.targets?.[kind]?.[name], `targets.${kind}.${name}`).toEqual(target);
          }
        }
      });

    if (doc.kind === 'Configuration')
      it('traces like the self-hosted configuration', () => {
        const twin = twinOf(doc);
        expect(twin.spec.tracing?.samplingRate).toBe(doc.spec.tracing?.samplingRate);
      });
  });
});

describe('Dapr resources on Kubernetes', () => {
  it('take secrets from Kubernetes Secrets, never from values in the manifest', () => {
    const actorState = findDoc(rendered, 'Component', 'actor-state');
    const connection = (actorState.spec.metadata as MetadataItem[]).find(
      (m) => m.name === 'connectionString',
    );
    expect(connection?.secretKeyRef).toMatchObject({ key: 'ACTOR_STATE_CONNECTION_STRING' });
    expect(connection?.value).toBeUndefined();
  });

  it("point kafka-pubsub at Redpanda's in-cluster Kafka listener by default", () => {
    const pubsub = findDoc(renderChart(), 'Component', 'kafka-pubsub');
    const brokers = (pubsub.spec.metadata as MetadataItem[]).find((m) => m.name === 'brokers');
    expect(brokers?.value).toBe('redpanda.redpanda.svc.cluster.local:9093');
  });

  it('give every Subscription a dead-letter topic and a scope', () => {
    const subscriptions = rendered.filter((r) => r.kind === 'Subscription');
    expect(subscriptions.map((s) => s.spec.topic).sort()).toEqual(['reminders', 'task-events']);
    for (const s of subscriptions) {
      expect(s.spec.deadLetterTopic).toBe(`${s.spec.topic}-dlq`);
      expect(s.scopes?.length).toBeGreaterThan(0);
    }
  });
});
