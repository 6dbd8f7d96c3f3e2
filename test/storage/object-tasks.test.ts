import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, inject } from 'vitest';
import { startTestServer } from '../support/api.ts';
import { type S3Server, startS3 } from '../support/s3.ts';
import { taskSuite } from '../support/task-suite.ts';

let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3();
  for (const bucket of ['intent', 'exports', 'gcs-intent', 'gcs-exports']) await s3.createBucket(bucket);
  await s3.uploadTree(inject('intentTree'), 'intent', 'tree');
  await s3.uploadTree(inject('intentTree'), 'gcs-intent', 'daily/intent');
});
afterAll(async () => s3?.close());

/** Whether an object of the s3rver buckets (s3:// or gs://, both served by it) exists. */
async function exists(uri: string): Promise<boolean> {
  const { host: bucket, pathname } = new URL(uri);
  try {
    await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: pathname.slice(1) }));
    return true;
  } catch {
    return false;
  }
}

taskSuite('tasks over an S3 tree, exported to S3, jobs split by input bytes (JOB_MAX_BYTES=2MB)', {
  start: () =>
    startTestServer({
      ...s3.env,
      INTENT_INPUT_PATH: 's3://intent/tree',
      OUTPUT_PATH: 's3://exports/audiences',
      // Jobs split by input bytes (the tree's 11 MB: 2 count jobs, 6 export jobs): a unique count's
      // people go through S3 by hash bucket.
      JOB_MAX_BYTES: '2MB',
      COUNT_JOB_MAX_BYTES: '8MB',
      UNIQUE_JOB_MAX_BYTES: '8MB',
    }),
  outputRoot: () => 's3://exports/audiences',
  localTree: () => inject('intentTree'),
  inputPath: () => 's3://intent/tree',
  exists,
  jobMaxBytes: 2_000_000,
  countJobMaxBytes: 8_000_000,
});

taskSuite('tasks over a GCS tree, exported to a local folder', {
  start: () => startTestServer({ ...s3.env, INTENT_INPUT_PATH: 'gs://gcs-intent/daily/intent' }),
  outputRoot: (t) => `${t.dataDir}/exports`,
  localTree: () => inject('intentTree'),
  inputPath: () => 'gs://gcs-intent/daily/intent',
});

taskSuite('tasks over a local tree, exported to GCS, jobs split by input bytes (JOB_MAX_BYTES=2MB)', {
  start: () =>
    startTestServer({
      ...s3.env,
      OUTPUT_PATH: 'gs://gcs-exports/out',
      // As over S3 above: a unique count's and a people export's slices go through GCS by hash bucket.
      JOB_MAX_BYTES: '2MB',
      COUNT_JOB_MAX_BYTES: '8MB',
      UNIQUE_JOB_MAX_BYTES: '8MB',
    }),
  outputRoot: () => 'gs://gcs-exports/out',
  localTree: () => inject('intentTree'),
  exists,
  jobMaxBytes: 2_000_000,
  countJobMaxBytes: 8_000_000,
});
