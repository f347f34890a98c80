import { describe, expect, it } from 'vitest';
import { findDoc, type K8sObject, release, renderChart } from './helm.ts';

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
}

function migrationJob(docs: K8sObject[]) {
  const job = findDoc(docs, 'Job', `${release}-migrations`);
  return {
    job,
    hook: job.metadata.annotations?.['helm.sh/hook'],
    init: job.spec.template.spec.initContainers as Container[],
  };
}

describe('the migration Job', () => {
  it('runs before the apps roll, on install and on upgrade, with an external database', () => {
    const { hook } = migrationJob(renderChart());
    expect(hook).toBe('pre-install,pre-upgrade');
  });

  it('runs after the first install with the in-cluster PostgreSQL, which a pre-install hook would precede', () => {
    const docs = renderChart(['values-minikube.yaml']);
    expect(migrationJob(docs).hook).toBe('post-install,pre-upgrade');
    const config = findDoc(docs, 'ConfigMap', release).data as Record<string, string>;
    expect(config.MIGRATE_ON_START).toBe('true');
  });

  it("runs chat-api's and notifier's migrations from their own images, one after the other", () => {
    const { init } = migrationJob(renderChart());
    expect(init.map((c) => c.name)).toEqual(['migrate-chat-api', 'migrate-notifier']);
    for (const c of init) {
      expect(c.command).toEqual(['node', 'src/migrate-main.ts']);
      expect(c.image).toContain(`/${c.name.replace('migrate-', '')}:`);
    }
  });

  it('reads DATABASE_URL from a hook Secret that exists before the release Secret does', () => {
    const docs = renderChart();
    const { init } = migrationJob(docs);
    const ref = init[0]?.env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
    const secret = findDoc(docs, 'Secret', String(ref?.name));
    expect(secret.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(0);
    expect((secret.stringData as Record<string, string>).DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('has no Dapr sidecar, which would keep the Job from ending', () => {
    const { job } = migrationJob(renderChart());
    expect(job.spec.template.metadata.annotations?.['dapr.io/enabled']).toBeUndefined();
  });
});
