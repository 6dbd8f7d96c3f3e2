import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishExport } from '../../src/jobs/phases/export-files.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';

/**
 * A job's export is published partition by partition. When one partition cannot be (here a file
 * stands where its folder must go, as a full disk refuses a folder), the job fails and takes back the
 * partitions it had published: its task never lists them, so none may stay in its folder.
 */
let root: string;
const task = { id: 'task-1', organizationId: 'org-1', request: {} };

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-publish-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function written(partition: string, name: string, bytes: number) {
  const file = path.join(root, 'scratch', 'job', partition, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes, 7));
  return { partition, path: file, rows: bytes };
}

describe('publishing an export', () => {
  it('moves every partition into the task folder, each file with its rows and checksum', async () => {
    const storage = new LocalStorage(path.join(root, 'scratch'));
    const outputPath = path.join(root, 'exports');
    const { files } = await publishExport(
      [written('day=1/p=a', 'data_0.parquet', 5), written('day=1/p=b', 'data_0.parquet', 3)],
      { storage, outputPath, task },
    );
    expect(files.map((file) => [path.relative(outputPath, file.uri), file.rows])).toEqual([
      ['org-1/task-1/day=1/p=a/data_0.parquet', 5],
      ['org-1/task-1/day=1/p=b/data_0.parquet', 3],
    ]);
    expect(files.every((file) => file.sha256?.length === 64)).toBe(true);
  });

  it('leaves none of its files behind when one partition cannot be published', async () => {
    const storage = new LocalStorage(path.join(root, 'scratch'));
    const outputPath = path.join(root, 'exports');
    const taskFolder = path.join(outputPath, 'org-1', 'task-1');
    // A file where the partition `day=2` must become a folder: its publish fails (EEXIST).
    fs.mkdirSync(taskFolder, { recursive: true });
    fs.writeFileSync(path.join(taskFolder, 'day=2'), 'in the way');
    const files = [
      written('day=1/p=a', 'data_0.parquet', 5),
      written('day=1/p=a', 'data_1.parquet', 4),
      written('day=1/p=b', 'data_0.parquet', 3),
      written('day=2/p=a', 'data_0.parquet', 2),
      written('day=3/p=a', 'data_0.parquet', 1),
    ];
    await expect(publishExport(files, { storage, outputPath, task })).rejects.toThrow(/EEXIST|ENOTDIR/);
    const left = fs
      .readdirSync(taskFolder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(taskFolder, path.join(entry.parentPath, entry.name)));
    expect(left).toEqual(['day=2']);
  });
});
