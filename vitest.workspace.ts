/**
 * The test projects. Vitest 4+ no longer reads this file by itself: `vitest.config.ts` imports
 * it into `test.projects`.
 *
 * - `unit`: every `*.test.ts` beside the code; no network (the Dapr sidecar is mocked with msw).
 * - `integration`: `*.int.test.ts`, against the stack's real PostgreSQL (TEST_DATABASE_URL).
 * - `e2e`: `*.e2e.test.ts`, against the real local stack (`scripts/stack up` first).
 * - `chart`: the Helm chart's tests under charts/ (run by scripts/chart-test, which provides helm).
 * - `chaos`: `*.chaos.test.ts`, the real stack with a part of it killed under load (scripts/test chaos).
 */
import type { TestProjectConfiguration } from 'vitest/config';

export const projects: TestProjectConfiguration[] = [
  {
    test: {
      name: 'unit',
      include: ['services/**/*.test.ts', 'actors/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
      // The machines are shared and busy: a generous bound, never a measure (benchmarks measure).
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  },
  {
    test: {
      name: 'integration',
      include: ['services/**/*.int.test.ts', 'actors/**/*.int.test.ts'],
      exclude: ['**/node_modules/**'],
      // One database: integration files run one at a time.
      fileParallelism: false,
      testTimeout: 60_000,
    },
  },
  {
    test: {
      name: 'chart',
      include: ['charts/tests/**/*.test.ts'],
      exclude: ['**/node_modules/**'],
      testTimeout: 120_000,
    },
  },
  {
    test: {
      name: 'e2e',
      include: ['**/*.e2e.test.ts'],
      exclude: ['**/node_modules/**'],
      // One stack: e2e files share brokers and ports, so they run one at a time.
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  },
  {
    test: {
      name: 'chaos',
      include: ['e2e/**/*.chaos.test.ts'],
      exclude: ['**/node_modules/**'],
      // One stack, and each case breaks part of it on purpose: one file, one case at a time.
      fileParallelism: false,
      testTimeout: 600_000,
      hookTimeout: 300_000,
    },
  },
];
