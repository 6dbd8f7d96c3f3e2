import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

/**
 * The staging cache and the local exports (with their scratch folder, `OUTPUT_PATH/.staging`) on a
 * 4 MiB tmpfs this test mounts (it runs as root); a ballast file fills it up. A mount that fails
 * fails the test: nothing here is skipped.
 */
let mnt: string;
let s3: S3Server;
let t: TestServer;
let api: ReturnType<typeof apiClient>;
let tree: string;
let downloads: string;
const PARTITION = { days: ['2024-05-01'], topic_id_prefixes: ['4eyes_101'], scores: ['high'] };
const FOLDER = 'day=2024-05-01/prefix=4eyes_101/score=high';
const WHERE = "intent_score >= 50 AND country <> 'US'";

beforeAll(async () => {
  tree = inject('intentTree');
  mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-disk-downloads-'));
  s3 = await startS3();
  await s3.createBucket('intent');
  await s3.uploadTree(tree, 'intent', 'tree');
  t = await startTestServer({
    ...s3.env,
    INTENT_INPUT_PATH: 's3://intent/tree',
    STAGING_DIR: path.join(mnt, 'cache'),
    OUTPUT_PATH: path.join(mnt, 'exports'),
  });
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
  if (mnt) {
    execFileSync('umount', [mnt]);
    fs.rmdirSync(mnt);
  }
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

/** Files (not folders) under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Fills the file system but `leave` bytes with one file; returns its path. */
function fillUp(leave: number): string {
  const ballast = path.join(mnt, 'ballast');
  const { bavail, bsize } = fs.statfsSync(mnt);
  fs.writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
  return ballast;
}

async function rowsWhere(where: string): Promise<number> {
  const [row] = await duck<{ n: bigint }>(
    `SELECT count(*) AS n FROM read_parquet('${path.join(tree, FOLDER)}/*.parquet') WHERE ${where}`,
  );
  return Number(row!.n);
}

describe('a full disk under the staging cache and the local exports', () => {
  it('fails the jobs that write with disk_full, leaves no file, lets a count go on, and recovers', async () => {
    // With room: a count from the footers (the catalog and the where_expr check read footers too).
    const warm = await api.createIntentTask({ ...PARTITION, perform_unload: false });
    expect((await api.waitFor(warm, ['counted'])).counts).toEqual(
      await expectedIntentCounts(tree, "day = DATE '2024-05-01' AND prefix = '4eyes_101' AND score = 'high'"),
    );
    const footers = filesUnder(path.join(mnt, 'cache'));
    // Less room than the chunks of the filter's columns in one object take.
    const ballast = fillUp(4 * 1024);

    // Staging an object's column chunks (Node's fs answers ENOSPC) and an export DuckDB writes (its "IO Error:
    // Could not write file …: No space left on device") both fail with disk_full.
    const staged = await api.createIntentTask({ ...PARTITION, where_expr: WHERE, perform_unload: false });
    const exported = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: path.join(tree, FOLDER),
      where_expr: WHERE,
    });
    expect(exported.status).toBe(202);
    // A count over local files writes nothing: it goes on, exactly, while the disk is full.
    const counted = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: path.join(tree, FOLDER),
      where_expr: 'intent_score >= 70',
      perform_unload: false,
    });
    const count = await api.waitFor(counted.body.task_id, ['counted'], 60_000);
    expect(count.total_count).toBe(await rowsWhere('intent_score >= 70'));

    const stagedFailed = await api.waitFor(staged, ['failed'], 60_000);
    expect(stagedFailed.error, JSON.stringify(stagedFailed.error)).toMatchObject({ code: 'disk_full' });
    expect(stagedFailed.error.message).toContain(path.join(mnt, 'cache'));
    const exportFailed = await api.waitFor(exported.body.task_id, ['failed'], 60_000);
    expect(exportFailed.error.code).toBe('disk_full');
    expect(exportFailed.error.message).toMatch(/No space left on device/);
    expect(exportFailed.error.message).toContain(path.join(mnt, 'exports'));
    expect(exportFailed.files).toEqual([]);

    // Nothing left behind: the cache holds the footers it held before, the exports folder no file
    // (the failed jobs' scratch folders are removed as the jobs end).
    expect(filesUnder(path.join(mnt, 'cache'))).toEqual(footers);
    for (let i = 0; i < 50 && filesUnder(path.join(mnt, 'exports')).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(filesUnder(path.join(mnt, 'exports'))).toEqual([]);

    // Space comes back: both tasks, tried again, complete with exact numbers.
    fs.rmSync(ballast);
    expect((await api.post(`/api/v1/tasks/${staged}/retry`)).status).toBe(202);
    expect((await api.post(`/api/v1/tasks/${exported.body.task_id}/retry`)).status).toBe(202);
    const recount = await api.waitFor(staged, ['counted'], 60_000);
    expect(recount.total_count).toBe(await rowsWhere(WHERE));
    const done = await api.waitFor(exported.body.task_id, ['completed'], 60_000);
    expect(done.total_count).toBe(await rowsWhere(WHERE));
    const copies = await downloadFiles(done.files, downloads);
    const [rows] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}])`,
    );
    expect(Number(rows!.n)).toBe(await rowsWhere(WHERE));
  });
});
