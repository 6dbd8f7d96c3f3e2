import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.ts';
import { type S3Server, startS3, storageOver } from '../support/s3.ts';

/**
 * `Storage.copy` between every pair of places an export of whole files meets (a local folder, S3 and
 * GCS through s3rver), through the router the service uses: the same bytes under the new names, and
 * the destination folder holding exactly them afterwards.
 */

let s3: S3Server;
let root: string;
let storage: Storage;

const BODIES = ['first file', 'the second file, a little longer', 'third'];

beforeAll(async () => {
  s3 = await startS3();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-copy-'));
  for (const bucket of ['inputs', 'exports']) await s3.createBucket(bucket);
  storage = storageOver(s3, root);
  // The same three files in a local folder and in the bucket.
  fs.mkdirSync(path.join(root, 'in'), { recursive: true });
  for (const [i, body] of BODIES.entries()) {
    fs.writeFileSync(path.join(root, 'in', `part-${i}.parquet`), body);
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'inputs', Key: `tree/part-${i}.parquet`, Body: body }),
    );
  }
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** What a folder holds, name → body, wherever it is. */
async function contents(folder: string): Promise<Record<string, string>> {
  if (!folder.includes('://')) {
    return Object.fromEntries(
      fs.readdirSync(folder).map((name) => [name, fs.readFileSync(path.join(folder, name), 'utf8')]),
    );
  }
  const { host: bucket, pathname } = new URL(folder);
  const prefix = `${pathname.slice(1)}/`;
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const held: Record<string, string> = {};
  for (const object of listed.Contents ?? []) {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
    held[object.Key!.slice(prefix.length)] = await got.Body!.transformToString();
  }
  return held;
}

const SOURCES = {
  local: () => path.join(root, 'in'),
  s3: () => 's3://inputs/tree',
};
const DESTINATIONS = {
  local: (name: string) => path.join(root, 'out', name),
  s3: (name: string) => `s3://exports/${name}`,
  gs: (name: string) => `gs://exports/gcs-${name}`,
};

describe('copying whole files', () => {
  for (const from of ['local', 's3'] as const) {
    for (const to of ['local', 's3', 'gs'] as const) {
      it(`copies from ${from} to ${to}: the same bytes under the new names, and nothing else left`, async () => {
        const sources = await storage.list(SOURCES[from](), { recursive: false });
        expect(sources).toHaveLength(3);
        const dest = DESTINATIONS[to](`${from}-${to}`);
        // A file of an earlier run of the job: replaced, as a publish replaces it.
        await storage.write(`${dest}/data_9.parquet`, 'stale');
        const names = ['data_0.parquet', 'data_1.parquet', 'data_2.parquet'];
        const copied = await storage.copy(sources, names, dest);
        expect(copied.map((file) => file.uri)).toEqual(names.map((name) => `${dest}/${name}`));
        expect(copied.map((file) => file.sizeBytes)).toEqual(BODIES.map((body) => body.length));
        expect(await contents(dest)).toEqual(Object.fromEntries(names.map((name, i) => [name, BODIES[i]])));
      });
    }
  }
});
