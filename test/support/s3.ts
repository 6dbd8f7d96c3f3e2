import path from 'node:path';
import { type S3Server, startS3, UPLOADS_AT_ONCE } from '../../harness/s3rver.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { ObjectStorage } from '../../src/storage/object-storage.ts';
import { createObjectClient } from '../../src/storage/s3-clients.ts';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { StorageRouter } from '../../src/storage/storage-router.ts';

export { type S3Server, startS3, UPLOADS_AT_ONCE };

/**
 * The Storage the service builds, over a local scratch folder under `root` and both object stores
 * of this s3rver (S3, and GCS through its S3 API), each request tried up to 3 times.
 */
export function storageOver(s3: S3Server, root: string): Storage {
  const options = {
    s3: { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
    gcs: { endpoint: s3.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // Retried as the service's requests are (STORAGE_MAX_ATTEMPTS): a request sent on a kept-alive
    // connection s3rver has just closed for idling meets ECONNRESET once, more often on a busy machine.
    maxAttempts: 3,
    timeoutMs: 10_000,
  };
  const cache = new StagingCache(path.join(root, 'cache'), 1e8);
  const scratch = path.join(root, 'scratch');
  return new StorageRouter(new LocalStorage(scratch), {
    s3: new ObjectStorage(createObjectClient('s3', options), 's3', cache, scratch),
    gs: new ObjectStorage(createObjectClient('gs', options), 'gs', cache, scratch),
  });
}
