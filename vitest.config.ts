import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Unit test files: no server, no child process, no database (SQLite, PostgreSQL, Redis, DuckDB), no
 * S3, no browser, no global state such as fake timers or the shared intent tree. They run in worker
 * threads without isolation: one thread imports their modules once, instead of a fresh process per
 * file. Every other file is an integration test and runs in its own process (`forks`).
 *
 * A file is chosen by reading it; a file missing here (a new or moved one) runs as an integration
 * test, so a list gone stale slows a run down but never drops a test.
 */
export const UNIT_TESTS = [
  'test/accounts/password-policy.test.ts',
  'test/bench/fairness-coverage.test.ts',
  'test/cli/day-list.test.ts',
  'test/compare.test.ts',
  'test/config.test.ts',
  'test/errors.test.ts',
  'test/http/entity-tags.test.ts',
  'test/metrics/metrics.test.ts',
  'test/tasks/days.test.ts',
  'test/tasks/job-lanes.test.ts',
  'test/tasks/partition-batches.test.ts',
  'test/tasks/task-answer-cache.test.ts',
  'test/tasks/task-changes.test.ts',
  'test/tasks/task-cursor.test.ts',
  'test/tasks/task-lifecycle.test.ts',
  'test/tasks/task-planner.test.ts',
  'test/webhooks/address-guard.test.ts',
  'test/webhooks/webhook-body.test.ts',
];

export default defineConfig({
  test: {
    // No `include` here: a project that extends this config would add its own to it, not replace it.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Vitest 3 builds one pool per kind from the root options, whatever a project says: these two
    // settings must stay here. Only the unit project uses threads, only the integration one forks.
    poolOptions: {
      threads: { isolate: false },
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
      // legacy provider; without it, the second page of a listing answers 500.
      forks: { execArgv: ['--openssl-legacy-provider'] },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_TESTS,
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_TESTS],
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
