import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ObjectStorage } from '../../src/storage/object-storage.ts';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import type { StoredObject } from '../../src/storage/storage.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

const MB = 1024 * 1024;

let s3: S3Server;
let root: string;
const objects: StoredObject[] = [];

beforeAll(async () => {
  s3 = await startS3();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-stage-'));
  await s3.createBucket('staged');
  for (const name of ['a', 'b']) {
    const key = `tree/${name}.parquet`;
    const reply = await s3.client.send(
      new PutObjectCommand({ Bucket: 'staged', Key: key, Body: Buffer.alloc(2 * MB, name) }),
    );
    objects.push({ uri: `s3://staged/${key}`, size: 2 * MB, etag: reply.ETag ?? '' });
  }
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('staging objects', () => {
  it('releases the pins of downloads that finish after another object failed', async () => {
    const cache = new StagingCache(path.join(root, 'cache'), 5 * MB);
    const storage = new ObjectStorage(s3.client, 's3', cache, path.join(root, 'scratch'));
    const staged = objects.map((object) =>
      path.join(cache.root, 'objects', 's3', 'staged', 'tree', path.basename(object.uri)),
    );
    // Larger than the whole cache: it fails at once, while a and b are still downloading.
    const tooLarge = { uri: 's3://staged/tree/c.parquet', size: 6 * MB, etag: '"c"' };

    await expect(storage.stage([...objects, tooLarge])).rejects.toMatchObject({ code: 'staging_too_small' });
    // The failure came first: a download was still under way. Then both finish.
    expect(staged.some((file) => !fs.existsSync(file))).toBe(true);
    await vi.waitFor(() => expect(staged.every((file) => fs.existsSync(file))).toBe(true), {
      timeout: 10_000,
    });
    expect(cache.bytes).toBe(4 * MB);

    // Room for 5 MB only if neither copy is pinned any more: both are evicted. A download's pin is
    // let go just after its file lands, so the first tries may still find one held (staging_full).
    const other = path.join(cache.root, 'other');
    await vi.waitFor(
      () =>
        cache.acquire(other, 'e', 5 * MB, (target) => fs.promises.writeFile(target, Buffer.alloc(5 * MB))),
      { timeout: 10_000, interval: 50 },
    );
    cache.release(other);
    expect(cache.bytes).toBe(5 * MB);
    expect(staged.some((file) => fs.existsSync(file))).toBe(false);
  });
});
