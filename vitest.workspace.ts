/**
 * The test projects. Vitest 4+ no longer reads this file by itself: `vitest.config.ts` imports
 * it into `test.projects`.
 *
 * - `unit`: every `*.test.ts` beside the code; no network (the Dapr sidecar is mocked with msw).
 * - `e2e`: `*.e2e.test.ts`, against the real local stack (`scripts/stack up` first).
 */
import type { TestProjectConfiguration } from 'vitest/config';

export const projects: TestProjectConfiguration[] = [
  {
    test: {
      name: 'unit',
      include: ['services/**/*.test.ts', 'actors/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
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
];
