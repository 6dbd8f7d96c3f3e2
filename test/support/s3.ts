import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

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
      let count = 0;
      for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || entry.name.startsWith('.')) continue;
        const full = path.join(entry.parentPath, entry.name);
        const key = `${prefix}/${path.relative(dir, full)}`;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(full) }));
        count += 1;
      }
      return count;
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
