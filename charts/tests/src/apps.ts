/**
 * The apps' real ports and health paths, the facts the chart must agree with. Read from the
 * Multi-App Run template `dapr.yaml` at the repository root when it exists (appPort per app,
 * appHealthCheckPath per app or in `common`); otherwise DESIGN.md's table, copied here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './helm.ts';

export interface AppFacts {
  appId: string;
  appPort: number;
  healthPath: string;
  readyPath: string;
}

/** DESIGN.md, "Apps": app-id, app port; every app serves /healthz and /readyz. */
const designTable: AppFacts[] = [
  { appId: 'chat-api', appPort: 3000, healthPath: '/healthz', readyPath: '/readyz' },
  { appId: 'task-reminder', appPort: 3001, healthPath: '/healthz', readyPath: '/readyz' },
  { appId: 'notifier', appPort: 3002, healthPath: '/healthz', readyPath: '/readyz' },
];

interface RunTemplateApp {
  appID?: string;
  appPort?: number;
  appHealthCheckPath?: string;
}

export function appFacts(): { source: string; apps: AppFacts[] } {
  const file = join(repoRoot, 'dapr.yaml');
  if (!existsSync(file)) return { source: 'DESIGN.md', apps: designTable };
  const template = parse(readFileSync(file, 'utf8')) as {
    common?: RunTemplateApp;
    apps?: RunTemplateApp[];
  } | null;
  const commonHealthPath = template?.common?.appHealthCheckPath;
  const apps = (template?.apps ?? []).map((app): AppFacts => {
    if (!app.appID || typeof app.appPort !== 'number') {
      throw new Error(`dapr.yaml: every app needs appID and appPort (got ${JSON.stringify(app)})`);
    }
    return {
      appId: app.appID,
      appPort: app.appPort,
      healthPath: app.appHealthCheckPath ?? commonHealthPath ?? '/healthz',
      readyPath: '/readyz',
    };
  });
  return { source: 'dapr.yaml', apps };
}
