import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import S3rver from 's3rver';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { ObjectStorage } from '../../src/storage/object-storage.ts';
import { createObjectClient } from '../../src/storage/s3-clients.ts';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { StorageRouter } from '../../src/storage/storage-router.ts';

/** Uploads to s3rver at once when a test fills a bucket. */
export const UPLOADS_AT_ONCE = 8;

export interface S3Server {
  endpoint: string;
  client: S3Client;
  /** Environment that points the service's S3 and GCS clients at this server. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** Uploads every file of a local folder under `bucket/prefix`, keeping relative paths. */
  uploadTree(dir: string, bucket: string, prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** A real S3 protocol server (s3rver) in this process, on 127.0.0.1 only, on a free port unless told. */
export async function startS3(options: { port?: number } = {}): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // The AWS SDK reads credentials from the standard chain; the environment is its first link.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    env: {
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: '1',
      GCS_ENDPOINT: endpoint,
      GCS_HMAC_ACCESS_KEY_ID: 'S3RVER',
      GCS_HMAC_SECRET: 'S3RVER',
    },
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async uploadTree(dir, bucket, prefix) {
      const files = fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
        .map((entry) => path.join(entry.parentPath, entry.name));
      // A few uploads at a time: each waits mostly on s3rver's own file writes.
      await pMap(
        files,
        (full) =>
          client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: `${prefix}/${path.relative(dir, full)}`,
              Body: fs.readFileSync(full),
            }),
          ),
        { concurrency: UPLOADS_AT_ONCE },
      );
      return files.length;
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The Storage the service builds, over a local scratch folder under `root` and both object stores
 * of this s3rver (S3, and GCS through its S3 API), with no retries.
 */
export function storageOver(s3: S3Server, root: string): Storage {
  const options = {
    s3: { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
    gcs: { endpoint: s3.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
    timeoutMs: 10_000,
  };
  const cache = new StagingCache(path.join(root, 'cache'), 1e8);
  const scratch = path.join(root, 'scratch');
  return new StorageRouter(new LocalStorage(scratch), {
    s3: new ObjectStorage(createObjectClient('s3', options), 's3', cache, scratch),
    gs: new ObjectStorage(createObjectClient('gs', options), 'gs', cache, scratch),
  });
}
