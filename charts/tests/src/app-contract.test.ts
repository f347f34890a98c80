import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFacts } from './apps.ts';
import { findDoc, type K8sObject, release, renderChart } from './helm.ts';

const { source, apps } = appFacts();
const docs = renderChart(['values.yaml']);

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
}

function appContainer(deployment: K8sObject, appId: string): Container {
  const containers = deployment.spec.template.spec.containers as Container[];
  const container = containers.find((c) => c.name === appId);
  if (!container) throw new Error(`no container ${appId} in ${deployment.metadata.name}`);
  return container;
}

function secretValue(name: string, key: string): string {
  const secret = findDoc(docs, 'Secret', name);
  const data = secret.stringData as Record<string, string> | undefined;
  const value = data?.[key];
  if (value === undefined) throw new Error(`Secret ${name} has no key ${key}`);
  return value;
}

describe(`the Deployments agree with the apps' ports and health paths (from ${source})`, () => {
  it('renders one Deployment per app, named by app-id', () => {
    const deployments = docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name);
    for (const app of apps) expect(deployments).toContain(`${release}-${app.appId}`);
  });

  describe.each(apps)('$appId', (app) => {
    const deployment = findDoc(docs, 'Deployment', `${release}-${app.appId}`);
    const annotations = deployment.spec.template.metadata.annotations as Record<string, string>;
    const container = appContainer(deployment, app.appId);
    const env = new Map(container.env.map((e) => [e.name, e]));

    it('tells the sidecar its app-id, app port and health check path', () => {
      expect(annotations['dapr.io/enabled']).toBe('true');
      expect(annotations['dapr.io/app-id']).toBe(app.appId);
      expect(annotations['dapr.io/app-port']).toBe(String(app.appPort));
      expect(annotations['dapr.io/enable-app-health-check']).toBe('false');
      expect(annotations['dapr.io/app-health-check-path']).toBe(app.healthPath);
      expect(annotations['dapr.io/config']).toBe('todo-config');
    });

    it('listens on the app port and probes /healthz (liveness) and /readyz (readiness) on it', () => {
      expect(container.ports).toContainEqual(
        expect.objectContaining({ name: 'http', containerPort: app.appPort }),
      );
      expect(env.get('PORT')?.value).toBe(String(app.appPort));
      expect(container.livenessProbe.httpGet).toEqual({ path: app.healthPath, port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: app.readyPath, port: 'http' });
    });

    it("talks to the sidecar on Kubernetes' sidecar HTTP port", () => {
      // In a pod every daprd listens on 3500 (the per-app ports of dapr.yaml exist because
      // self-hosted sidecars share one host).
      expect(env.get('DAPR_HTTP_PORT')?.value).toBe('3500');
    });

    it('gives the app the same API and app tokens as its sidecar, a pair of its own', () => {
      const apiSecret = annotations['dapr.io/api-token-secret'];
      const appSecret = annotations['dapr.io/app-token-secret'];
      expect(apiSecret).toBe(`${release}-${app.appId}-dapr-api-token`);
      expect(appSecret).toBe(`${release}-${app.appId}-app-api-token`);
      expect(env.get('DAPR_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: apiSecret, key: 'token' });
      expect(env.get('APP_API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: appSecret, key: 'token' });
      expect(secretValue(String(apiSecret), 'token')).not.toBe(secretValue(String(appSecret), 'token'));
    });

    it('runs with the restricted security context', () => {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(deployment.spec.template.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it("gives the sidecar's Go runtime GOGC and a GOMEMLIMIT at 90% of its memory limit", () => {
      const limit = annotations['dapr.io/sidecar-memory-limit'];
      const mib = limit?.endsWith('Gi')
        ? Number.parseInt(limit, 10) * 1024
        : Number.parseInt(limit ?? '', 10);
      expect(limit).toMatch(/^[0-9]+(Mi|Gi)$/);
      expect(annotations['dapr.io/env']).toBe(`GOGC=400,GOMEMLIMIT=${Math.floor((mib * 9) / 10)}MiB`);
    });

    it('lets the sidecar drain within the pod grace period', () => {
      const drain = Number(annotations['dapr.io/graceful-shutdown-seconds']);
      expect(drain).toBeGreaterThan(0);
      expect(drain).toBeLessThan(deployment.spec.template.spec.terminationGracePeriodSeconds);
    });

    if (app.appId === 'task-reminder')
      it('has no Service: nothing but its own sidecar calls it', () => {
        expect(
          docs.find((d) => d.kind === 'Service' && d.metadata.name === `${release}-${app.appId}`),
        ).toBeUndefined();
      });
    else
      it('is reachable through a ClusterIP Service on the app port', () => {
        const service = findDoc(docs, 'Service', `${release}-${app.appId}`);
        expect(service.spec.type).toBe('ClusterIP');
        expect(service.spec.ports).toContainEqual(
          expect.objectContaining({ port: app.appPort, targetPort: 'http' }),
        );
        expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      });
  });

  it("gives task-reminder's sidecar room for a storm's callbacks, the others the defaults", () => {
    const limits = Object.fromEntries(
      apps.map((app) => [
        app.appId,
        findDoc(docs, 'Deployment', `${release}-${app.appId}`).spec.template.metadata.annotations[
          'dapr.io/sidecar-memory-limit'
        ],
      ]),
    );
    expect(limits).toEqual({ 'chat-api': '256Mi', 'task-reminder': '1Gi', notifier: '256Mi' });
  });

  it('takes a sidecar GOGC, and no GOMEMLIMIT for a memory limit in another unit', () => {
    const overlay = join(mkdtempSync(join(tmpdir(), 'chart-')), 'values.yaml');
    writeFileSync(
      overlay,
      'dapr:\n  sidecar:\n    goGC: 200\n    resources:\n      memoryLimit: "300000000"\n',
    );
    const rendered = renderChart(['values.yaml'], [overlay]);
    const annotations = findDoc(rendered, 'Deployment', `${release}-chat-api`).spec.template.metadata
      .annotations;
    expect(annotations['dapr.io/env']).toBe('GOGC=200');
    expect(annotations['dapr.io/sidecar-memory-limit']).toBe('300000000');
  });

  it('gives no two apps the same token', () => {
    const tokens = docs
      .filter((d) => d.kind === 'Secret' && /-(dapr|app)-api-token$/.test(d.metadata.name))
      .map((d) => (d.stringData as Record<string, string>).token);
    expect(tokens).toHaveLength(apps.length * 2);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});
