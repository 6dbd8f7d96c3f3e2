import { startTestServer } from '../support/api.ts';
import { startDeployment } from '../support/deployment.ts';
import { taskSuite } from '../support/task-suite.ts';

// The core task suite in the other modes: jobs split by input bytes in one process, and a
// scaled-out deployment (2 × serve, 2 × worker on PostgreSQL and Redis) whose workers share the
// split jobs of each task.

taskSuite('tasks whose jobs are split by input bytes (JOB_MAX_BYTES=1MB), embedded', {
  // A worker alone slices unique work only past UNIQUE_JOB_MAX_BYTES (its memory by default), into
  // SLICE_BUCKETS buckets when set (5 here; 16 in the other modes).
  start: () =>
    startTestServer({
      JOB_MAX_BYTES: '1MB',
      COUNT_JOB_MAX_BYTES: '4MB',
      UNIQUE_JOB_MAX_BYTES: '4MB',
      SLICE_BUCKETS: '5',
    }),
  outputRoot: (t) => `${t.dataDir}/exports`,
  localTree: (t) => t.intentTree,
  jobMaxBytes: 1_000_000,
  countJobMaxBytes: 4_000_000,
  sliceBuckets: 5,
});

taskSuite('tasks on 2 serve and 2 worker processes (PostgreSQL, Redis), jobs split by input bytes', {
  start: () =>
    startDeployment({ apis: 2, workers: 2, env: { JOB_MAX_BYTES: '1MB', COUNT_JOB_MAX_BYTES: '4MB' } }),
  outputRoot: (t) => `${t.dataDir}/exports`,
  localTree: (t) => t.intentTree,
  jobMaxBytes: 1_000_000,
  countJobMaxBytes: 4_000_000,
  // Two workers of one count slot each (COUNT_CONCURRENCY defaults to 1 on 2 cores).
  countSlots: 2,
});
