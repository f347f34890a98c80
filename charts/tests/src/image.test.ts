/**
 * What can be tested of the Dockerfile without a Docker engine: its ASSEMBLE script (the build
 * stage, run verbatim) on a copy of the workspace's tracked files, then each app started from the
 * output the way the image starts it (`node src/main.ts` in `current`), answering GET /healthz.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appFacts } from './apps.ts';
import { repoRoot } from './helm.ts';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const assemble = /^RUN <<'ASSEMBLE'\n([\s\S]*?)\nASSEMBLE$/m.exec(dockerfile)?.[1];
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(repoRoot, f)));
/** Every app of dapr.yaml (appFacts fails when one has no workspace package). */
const apps = appFacts().apps.map((a) => a.appId);

const scratch = mkdtempSync(join(tmpdir(), 'todo-image-'));
const workspace = join(scratch, 'workspace');
for (const file of tracked) {
  mkdirSync(dirname(join(workspace, file)), { recursive: true });
  copyFileSync(join(repoRoot, file), join(workspace, file));
}
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function healthz(port: number, child: ChildProcess, output: () => string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      return res.status;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer on /healthz within 20 s:\n${output()}`);
}

describe("the Dockerfile's app tree", () => {
  it('has an ASSEMBLE script and at least one app to build', () => {
    expect(assemble).toBeTruthy();
    expect(apps.length).toBeGreaterThan(0);
  });

  for (const app of apps) {
    it(`${app}: holds only production code and dependencies and starts, answering GET /healthz`, async () => {
      const out = join(scratch, `out-${app}`);
      execFileSync('bash', ['-c', assemble ?? 'exit 1'], {
        cwd: workspace,
        env: { ...process.env, APP: app, OUT: out },
        stdio: 'pipe',
      });
      const store = execFileSync('ls', [join(out, 'node_modules/.pnpm')], { encoding: 'utf8' });
      for (const devOnly of ['vitest@', 'msw@', '@biomejs']) expect(store).not.toContain(devOnly);
      // No tests, test helpers or dev-token script in production (found by name, anywhere).
      const shipped = execFileSync(
        'find',
        [
          out,
          '-path',
          `${out}/node_modules`,
          '-prune',
          '-o',
          '(',
          '-name',
          '*.test.ts',
          '-o',
          '-name',
          'testing',
          '-o',
          '-name',
          'dev-token.ts',
          ')',
          '-print',
        ],
        { encoding: 'utf8' },
      );
      expect(shipped).toBe('');

      const port = await freePort();
      let log = '';
      const child = spawn('node', ['src/main.ts'], {
        cwd: join(out, 'current'),
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          // Nothing listens on port 1: the app must start anyway and keep retrying its dependencies.
          DAPR_HTTP_PORT: '1',
          DATABASE_URL: 'postgres://todo:todo@127.0.0.1:1/todo',
          MIGRATE_ON_START: 'false',
          AUTH_JWT_SECRET: 'image-test-jwt-secret-0123456789abcdef',
          DAPR_API_TOKEN: 'image-test-dapr-api-token',
          APP_API_TOKEN: 'image-test-app-api-token',
          LOG_LEVEL: 'warn',
        },
      });
      running.push(child);
      child.stdout.on('data', (d) => (log += d));
      child.stderr.on('data', (d) => (log += d));
      expect(await healthz(port, child, () => log)).toBe(200);
      child.kill('SIGTERM');
    }, 120_000);
  }
});
