import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../src/storage/local-storage.ts';

let root: string;
let storage: LocalStorage;

function write(file: string, bytes: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes, 1));
  return file;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-local-'));
  storage = new LocalStorage(path.join(root, 'scratch'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('LocalStorage.publish', () => {
  it("moves a partition's files into place with their sizes, creating the folders", async () => {
    const files = [
      write(`${root}/scratch/job/a/data_1.parquet`, 7),
      write(`${root}/scratch/job/a/data_0.parquet`, 5),
    ];
    const dest = `${root}/exports/org/task/day=2024-05-01/prefix=x/score=high`;
    const published = await storage.publish(files, dest);
    expect(published).toEqual([
      { uri: `${dest}/data_0.parquet`, sizeBytes: 5 },
      { uri: `${dest}/data_1.parquet`, sizeBytes: 7 },
    ]);
    expect(fs.readdirSync(dest).sort()).toEqual(['data_0.parquet', 'data_1.parquet']);
    expect(fs.existsSync(files[0]!)).toBe(false);
  });

  it('moves only the files named when their folder holds others, and leaves the others behind', async () => {
    const keep = write(`${root}/scratch/job/b/data_0.parquet`, 3);
    const other = write(`${root}/scratch/job/b/data_1.parquet`, 0);
    const dest = `${root}/exports/org/task/p`;
    const published = await storage.publish([keep], dest);
    expect(published).toEqual([{ uri: `${dest}/data_0.parquet`, sizeBytes: 3 }]);
    expect(fs.readdirSync(dest)).toEqual(['data_0.parquet']);
    expect(fs.existsSync(other)).toBe(true);
  });

  it('replaces what an earlier run of the job published there', async () => {
    const dest = `${root}/exports/org/task/p`;
    await storage.publish(
      [write(`${root}/scratch/run1/data_0.parquet`, 4), write(`${root}/scratch/run1/data_1.parquet`, 4)],
      dest,
    );
    const published = await storage.publish([write(`${root}/scratch/run2/data_0.parquet`, 9)], dest);
    expect(published).toEqual([{ uri: `${dest}/data_0.parquet`, sizeBytes: 9 }]);
    expect(fs.readdirSync(dest)).toEqual(['data_0.parquet']);
  });
});

describe('LocalStorage.publish onto another file system (SNAPSHOT_PATH elsewhere)', () => {
  it('copies the files across, leaves none behind in scratch and no partial file at the target', async () => {
    const other = fs.mkdtempSync(path.join('/dev/shm', 'audiences-local-'));
    try {
      // The premise: scratch and target are on two file systems, where a rename fails with EXDEV.
      expect(fs.statSync(other).dev).not.toBe(fs.statSync(root).dev);
      const files = [
        write(`${root}/scratch/job/m/members.parquet`, 11),
        write(`${root}/scratch/job/m/x.parquet`, 2),
      ];
      const dest = path.join(other, 'org', 'audience', 'run-1');
      const published = await storage.publish(files, dest);
      expect(published).toEqual([
        { uri: `${dest}/members.parquet`, sizeBytes: 11 },
        { uri: `${dest}/x.parquet`, sizeBytes: 2 },
      ]);
      expect(fs.readdirSync(dest).sort()).toEqual(['members.parquet', 'x.parquet']);
      expect(files.some((file) => fs.existsSync(file))).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('LocalStorage.write', () => {
  it('writes the whole body, and removes the partial file a writer killed half way left beside it', async () => {
    const uri = path.join(root, 'exports', 'org', 'task', 'manifest.json');
    const left = `${uri}.4242.1796606671884.partial`;
    write(left, 12);
    const other = write(path.join(root, 'exports', 'org', 'task', 'manifest.json5.1.2.partial'), 1);
    expect(await storage.write(uri, '{"files":[]}')).toEqual({ uri, sizeBytes: 12 });
    expect(fs.readFileSync(uri, 'utf8')).toBe('{"files":[]}');
    expect(fs.existsSync(left)).toBe(false);
    // Another file's partial is not this write's to remove.
    expect(fs.existsSync(other)).toBe(true);
  });
});

describe('LocalStorage: the root partition of a generic tree', () => {
  it("publishes into the task's own folder without touching the other partitions' folders", async () => {
    const task = `${root}/exports/org/task`;
    // The root partition `.` and a sub-partition, published at once, then the root again (a re-run).
    await Promise.all([
      storage.publish([write(`${root}/scratch/j1/data_0.parquet`, 3)], task),
      storage.publish([write(`${root}/scratch/j2/data_0.parquet`, 5)], `${task}/region=us`),
    ]);
    await storage.publish([write(`${root}/scratch/j3/data_0.parquet`, 4)], task);
    expect(fs.readdirSync(task).sort()).toEqual(['data_0.parquet', 'region=us']);
    expect(fs.statSync(`${task}/data_0.parquet`).size).toBe(4);
    expect(fs.statSync(`${task}/region=us/data_0.parquet`).size).toBe(5);
    // A whole-file copy into the root partition keeps the sub-partition too.
    const source = write(`${root}/in/x.parquet`, 6);
    await storage.copy([{ uri: source, size: 6 }], ['data_0.parquet'], task);
    expect(fs.readdirSync(task).sort()).toEqual(['data_0.parquet', 'region=us']);
    expect(fs.statSync(`${task}/region=us/data_0.parquet`).size).toBe(5);
  });
});

describe('LocalStorage.list', () => {
  it('tags each file with its modification time, so a rewrite of the same size reads as a change', async () => {
    const file = write(`${root}/tree/day=2024-05-01/data_0.parquet`, 16);
    fs.utimesSync(file, new Date('2024-05-01T00:00:00Z'), new Date('2024-05-01T00:00:00Z'));
    const [before] = await storage.list(`${root}/tree`, { recursive: true });
    expect(before).toEqual({ uri: file, size: 16, etag: expect.any(String) });

    fs.writeFileSync(file, Buffer.alloc(16, 2));
    fs.utimesSync(file, new Date('2024-05-02T00:00:00Z'), new Date('2024-05-02T00:00:00Z'));
    const [after] = await storage.list(`${root}/tree`, { recursive: true });
    expect(after!.size).toBe(before!.size);
    expect(after!.etag).not.toBe(before!.etag);
    // Listing again without a change gives the same tag.
    expect((await storage.list(`${root}/tree`, { recursive: true }))[0]).toEqual(after);
  });
});
