import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import S3rver from 's3rver';

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

/**
 * A real S3 protocol server (s3rver) in this process, on 127.0.0.1 only, on a free port unless told.
 * Its objects live in `directory` (a new temporary folder unless given); `close` removes a temporary
 * one and keeps a given one, so a benchmark can reuse what it uploaded.
 */
export async function startS3(options: { port?: number; directory?: string } = {}): Promise<S3Server> {
  const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-s3rver-'));
  fs.mkdirSync(directory, { recursive: true });
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
      if (!options.directory) fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
