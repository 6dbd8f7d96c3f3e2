import os from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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
  'test/activation/profiles.test.ts',
  'test/activation/splits.test.ts',
  'test/architecture/test-projects.test.ts',
  'test/audiences/audience-schedule.test.ts',
  'test/bench/chaos-recovery.test.ts',
  'test/bench/fairness-coverage.test.ts',
  'test/bench/data-growth-report.test.ts',
  'test/bench/history.test.ts',
  'test/cli/day-list.test.ts',
  'test/compare.test.ts',
  'test/composition/engine-budgets.test.ts',
  'test/composition/shutdown-plan.test.ts',
  'test/config.test.ts',
  'test/engine/hash-passes.test.ts',
  'test/engine/sql-bounds.test.ts',
  'test/errors.test.ts',
  'test/http/entity-tags.test.ts',
  'test/jobs/job-lanes.test.ts',
  'test/metrics/metrics.test.ts',
  'test/overlap/overlap-figures.test.ts',
  'test/tasks/planning/job-rows.test.ts',
  'test/tasks/planning/partition-batches.test.ts',
  'test/tasks/planning/partition-folders.test.ts',
  'test/tasks/requests/days.test.ts',
  'test/tasks/task-answer-cache.test.ts',
  'test/tasks/task-changes.test.ts',
  'test/tasks/task-cursor.test.ts',
  'test/tasks/task-lifecycle.test.ts',
  'test/tasks/unique-slices.test.ts',
  'test/web/file-label.test.ts',
  'test/webhooks/address-guard.test.ts',
  'test/webhooks/webhook-body.test.ts',
];

/**
 * The files that take longest (a full run, slowest first). Two files run at a time, so one of these
 * started last would run on alone at the end; they start first instead. A clean clone has no timings
 * from an earlier run, and Vitest would otherwise order them by size: the bench test, among the
 * shortest files, would start last. A name missing here only costs time.
 */
const LONGEST_FIRST = [
  'test/bench/bench.test.ts',
  'test/http/chaos.test.ts',
  'test/storage/object-tasks.test.ts',
  'test/http/scaled-out.long-jobs.test.ts',
  'test/http/restarts.test.ts',
  'test/storage/object-faults.test.ts',
  'test/http/scaled-out.config.test.ts',
  'test/cli/cli-exit-codes.test.ts',
  'test/http/scaled-out.tasks.test.ts',
  'test/storage/object-storage.test.ts',
  'test/cli/cli-login.test.ts',
  'test/cli/cli-segments.test.ts',
  'test/cli/cli-terminal.test.ts',
  'test/http/fairness.test.ts',
  'test/security/limits.test.ts',
  'test/http/export-formats.test.ts',
  'test/http/intent-tasks.test.ts',
  'test/jobs/phases/export-files.out-of-memory.test.ts',
  'test/http/scaled-out.test.ts',
  'test/http/scaled-out.idempotency.test.ts',
  'test/web/console.test.ts',
];

/** Integration files run at a time: one more than the cores (see `poolOptions.forks`). */
const INTEGRATION_FORKS = os.availableParallelism() + 1;

/** Vitest's order (slowest first once it has timings, else largest first), the files above first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(path.relative(file.project.config.root, file.moduleId));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // No `include` here: a project that extends this config would add its own to it, not replace it.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { sequencer: LongestFirst },
    // Vitest 3 builds one pool per kind from the root options, whatever a project says: these two
    // settings must stay here. Only the unit project uses threads, only the integration one forks.
    poolOptions: {
      threads: { isolate: false },
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
      // legacy provider; without it, the second page of a listing answers 500.
      // One integration file more at a time than there are cores: they spend much of their time
      // waiting for servers, jobs and child processes (2 files on 2 cores kept the cores ~75% busy).
      // The whole suite on 2 cores: 476 s with 2 at a time, 412 s with 3. As many forks are kept as
      // may run (minForks): with 3 at most and 1 kept, three runs out of three ended with
      // "Terminating worker thread" from Tinypool, in two of them with a file that never ran; with 3
      // kept, none did.
      // Each fork runs file after file without a fresh process per file (isolate: false): a file then
      // imports the service, the AWS SDK, DuckDB and Kysely once per fork instead of once per file.
      // On this suite, importing fell from 244 s to 46 s summed over files (1014 s to 770 s in all, on
      // a busy machine). Files share a process, so none may leave a server, a timer or a fake clock
      // running, nor change process.env for others (each test file closes what it starts).
      forks: {
        execArgv: ['--openssl-legacy-provider'],
        maxForks: INTEGRATION_FORKS,
        minForks: INTEGRATION_FORKS,
        isolate: false,
      },
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
