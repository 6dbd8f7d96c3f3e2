import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.ts';
import { type S3Server, startS3, storageOver } from '../support/s3.ts';

/**
 * `Storage.remove` over every backend (a local folder, S3 and GCS through s3rver), through the router
 * the service uses: what a cancel relies on to leave none of a task's files behind.
 */

let s3: S3Server;
let root: string;
let storage: Storage;

/** A task's folder as exports leave it: data files in partition folders, a manifest, a marker. */
const NAMES = [
  'day=2024-05-01/prefix=a/score=high/data_0.parquet',
  'day=2024-05-01/prefix=a/score=high/data_1.parquet',
  'day=2024-05-02/prefix=b/score=low/data_0.csv.gz',
  'manifest.json',
  '_SUCCESS',
];

beforeAll(async () => {
  s3 = await startS3();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-remove-'));
  await s3.createBucket('exports');
  storage = storageOver(s3, root);
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Keys under a prefix of the bucket, as the bucket lists them. */
async function keys(prefix: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'exports', Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

describe.each(['s3', 'gs'] as const)('removing a folder on %s', (scheme) => {
  it("deletes every object under it, whatever its name, and nothing beside it (not a neighbour sharing the name's start)", async () => {
    const put = (key: string) =>
      s3.client.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: Buffer.from(key) }));
    for (const name of NAMES) await put(`${scheme}/org/task-1/${name}`);
    await put(`${scheme}/org/task-10/data_0.parquet`);
    await put(`${scheme}/org/task-2/data_0.parquet`);

    await storage.remove(`${scheme}://exports/${scheme}/org/task-1`);
    expect(await keys(`${scheme}/org/`)).toEqual([
      `${scheme}/org/task-10/data_0.parquet`,
      `${scheme}/org/task-2/data_0.parquet`,
    ]);
    // Again, or a folder that never existed: nothing to do.
    await storage.remove(`${scheme}://exports/${scheme}/org/task-1`);
    await storage.remove(`${scheme}://exports/${scheme}/none`);
    expect(await keys(`${scheme}/org/`)).toHaveLength(2);
  });

  it('refuses to remove a whole bucket', async () => {
    await expect(storage.remove(`${scheme}://exports`)).rejects.toThrow(/whole bucket/);
    expect((await keys(`${scheme}/org/`)).length).toBeGreaterThan(0);
  });
});

describe('removing a large folder', () => {
  it('deletes a folder of more objects than one listing page holds (the same code serves gs://)', async () => {
    const prefix = 's3/many/task';
    for (let i = 0; i < 1005; i += 67) {
      await Promise.all(
        Array.from({ length: Math.min(67, 1005 - i) }, (_, j) =>
          s3.client.send(
            new PutObjectCommand({ Bucket: 'exports', Key: `${prefix}/p${i + j}/data_0.parquet`, Body: 'x' }),
          ),
        ),
      );
    }
    expect((await keys(`${prefix}/`)).length).toBe(1000);
    await storage.remove(`s3://exports/${prefix}`);
    expect(await keys(`${prefix}/`)).toEqual([]);
  });
});

describe('removing a local folder', () => {
  it('deletes the folder with everything in it and nothing beside it; a missing folder is no error', async () => {
    const task = path.join(root, 'exports', 'org', 'task-1');
    for (const name of NAMES) {
      fs.mkdirSync(path.dirname(path.join(task, name)), { recursive: true });
      fs.writeFileSync(path.join(task, name), name);
    }
    fs.mkdirSync(path.join(root, 'exports', 'org', 'task-10'), { recursive: true });

    await storage.remove(task);
    expect(fs.existsSync(task)).toBe(false);
    expect(fs.readdirSync(path.join(root, 'exports', 'org'))).toEqual(['task-10']);
    await storage.remove(task);
  });
});

describe.each(['s3', 'gs', 'local'] as const)('removing named files on %s', (kind) => {
  it('deletes exactly those files, skips those that are not there, and keeps their neighbours', async () => {
    const folder =
      kind === 'local' ? path.join(root, 'files', 'task') : `${kind}://exports/${kind}/files/task`;
    const uriOf = (name: string) => storage.join(folder, name);
    const names = ['p=a/data_0.parquet', 'p=a/data_1.parquet', 'p=b/data_0.parquet', 'manifest.json'];
    for (const name of names) {
      if (kind === 'local') {
        fs.mkdirSync(path.dirname(uriOf(name)), { recursive: true });
        fs.writeFileSync(uriOf(name), name);
      } else {
        await s3.client.send(
          new PutObjectCommand({ Bucket: 'exports', Key: `${kind}/files/task/${name}`, Body: name }),
        );
      }
    }
    await storage.removeFiles([
      uriOf('p=a/data_1.parquet'),
      uriOf('p=b/data_0.parquet'),
      uriOf('p=c/gone.parquet'),
    ]);
    const left =
      kind === 'local'
        ? fs
            .readdirSync(folder, { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile())
            .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
            .sort()
        : (await keys(`${kind}/files/task/`)).map((key) => key.slice(`${kind}/files/task/`.length));
    expect(left).toEqual(['manifest.json', 'p=a/data_0.parquet']);
  });
});
