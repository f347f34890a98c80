import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** One of the project's apps run as its own Node process (`node src/main.ts`), as in production. */
export interface AppProcess {
  readonly url: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Waits for GET /healthz to answer 200. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM (a clean shutdown), SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startApp(options: {
  dir: string;
  name: string;
  port: number;
  env: Record<string, string>;
  logDir: string;
}): AppProcess {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: options.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(options.port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  return {
    url,
    logFile,
    child,
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null)
          throw new Error(`${options.name} exited (${child.exitCode}); log: ${logFile}`);
        try {
          if ((await fetch(`${url}/healthz`)).status === 200) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${options.name} not healthy after ${timeoutMs} ms; log: ${logFile}`);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
