/**
 * The tests of the deployed system (scripts/test kube): files `*.kube.test.ts` under e2e/kube,
 * which no project of the root vitest config picks up, since they need the project's cluster
 * with the system deployed, and run inside its network namespace.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['e2e/kube/**/*.kube.test.ts'],
    exclude: ['**/node_modules/**'],
    // One cluster: the files and their tests run one at a time, in order.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
