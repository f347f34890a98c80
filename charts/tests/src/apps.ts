/**
 * The apps' real ports and health paths, the facts the chart must agree with, read from the
 * Multi-App Run template `dapr.yaml` at the repository root (appPort per app, appHealthCheckPath
 * per app or in `common`). Every app there must be a workspace package whose `appDirPath` holds
 * `src/main.ts`: an app that moves or disappears fails the chart tests instead of dropping out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './helm.ts';

export interface AppFacts {
  appId: string;
  /** The app's workspace folder, relative to the repository root (`services/chat-api`). */
  dir: string;
  appPort: number;
  healthPath: string;
  readyPath: string;
}

interface RunTemplateApp {
  appID?: string;
  appPort?: number;
  appDirPath?: string;
  appHealthCheckPath?: string;
}

export function appFacts(): { source: string; apps: AppFacts[] } {
  const file = join(repoRoot, 'dapr.yaml');
  if (!existsSync(file)) throw new Error('dapr.yaml is missing: it names the apps the chart deploys');
  const template = parse(readFileSync(file, 'utf8')) as {
    common?: RunTemplateApp;
    apps?: RunTemplateApp[];
  } | null;
  const commonHealthPath = template?.common?.appHealthCheckPath;
  const apps = (template?.apps ?? []).map((app): AppFacts => {
    if (!app.appID || typeof app.appPort !== 'number' || !app.appDirPath) {
      throw new Error(
        `dapr.yaml: every app needs appID, appPort and appDirPath (got ${JSON.stringify(app)})`,
      );
    }
    const dir = app.appDirPath.replace(/^\.\//, '');
    const pkg = join(repoRoot, dir, 'package.json');
    if (!existsSync(pkg) || !existsSync(join(repoRoot, dir, 'src/main.ts')))
      throw new Error(
        `dapr.yaml: ${app.appID} lives in ${dir}, but there is no package with src/main.ts there`,
      );
    if (!readFileSync(pkg, 'utf8').includes(`"name": "@todo/${app.appID}"`))
      throw new Error(`dapr.yaml: ${dir}/package.json is not @todo/${app.appID}`);
    return {
      appId: app.appID,
      dir,
      appPort: app.appPort,
      healthPath: app.appHealthCheckPath ?? commonHealthPath ?? '/healthz',
      readyPath: '/readyz',
    };
  });
  return { source: 'dapr.yaml', apps };
}
