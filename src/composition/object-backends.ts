import type { StorageConfig } from '../config.ts';
import type { ObjectScheme } from '../storage/object-location.ts';
import { ObjectStorage } from '../storage/object-storage.ts';
import { createObjectClient } from '../storage/s3-clients.ts';
import type { StagingCache } from '../storage/staging-cache.ts';

/**
 * The S3 and GCS backends. The composition root imports this module only when the configuration
 * names a bucket: the AWS SDK is a large part of a start that only ever reads local folders.
 */
export function objectBackends(
  storage: StorageConfig,
  stagingCache: StagingCache,
  scratchDir: string,
): Record<ObjectScheme, ObjectStorage> {
  const options = {
    s3: storage.s3,
    gcs: storage.gcs,
    maxAttempts: storage.maxAttempts,
    timeoutMs: storage.timeoutMs,
  };
  const behaviour = { rangedReads: storage.rangedReads };
  return {
    s3: new ObjectStorage(createObjectClient('s3', options), 's3', stagingCache, scratchDir, behaviour),
    gs: new ObjectStorage(createObjectClient('gs', options), 'gs', stagingCache, scratchDir, behaviour),
  };
}
