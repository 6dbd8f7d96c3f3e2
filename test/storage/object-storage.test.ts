import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ProxiedGet, type S3Proxy, startS3Proxy } from '../../harness/s3-proxy.ts';
import { refusedPort } from '../../harness/server-process.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';
import { type S3Server, startS3, UPLOADS_AT_ONCE } from '../support/s3.ts';

let s3: S3Server;
let tree: string;
let treeBytes: number;
let scratch: string;
const ALL = {
  days: ['2024-05-01', '2024-05-02', '2024-05-03'],
  topic_id_prefixes: ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'],
  scores: ['low', 'medium', 'high'],
};
const WHERE = "intent_score >= 50 AND country <> 'US'";

/** Counts without the partitions that have no rows (the independent query only lists those). */
const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/**
 * Disk space the files under a folder take, less the rounding of each file up to whole 4 KiB
 * blocks (footer copies are sparse: their apparent size is not what they use).
 */
function diskUsage(dir: string): number {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const used = files.reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).blocks * 512, 0);
  return used - files.length * 4096;
}

/** Each Parquet file's key under `prefix`, its size, and its footer's bytes with its length and magic. */
function footerRanges(dir: string, prefix: string): Map<string, { size: number; bytes: number }> {
  const ranges = new Map<string, { size: number; bytes: number }>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.parquet')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    ranges.set(`${prefix}/${path.relative(dir, file)}`, {
      size: bytes.length,
      bytes: 8 + bytes.readUInt32LE(bytes.length - 8),
    });
  }
  return ranges;
}

/** The GETs of objects (not listings) of `bucket` among `gets`. */
const objectReads = (gets: readonly ProxiedGet[], bucket: string) =>
  gets.filter((get) => get.bucket === bucket && get.key !== '');
const bytesOf = (gets: readonly ProxiedGet[]) => gets.reduce((sum, get) => sum + get.bytes, 0);

function treeSize(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

beforeAll(async () => {
  tree = inject('intentTree');
  treeBytes = treeSize(tree);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-objects-'));
  s3 = await startS3();
  for (const bucket of ['intent', 'exports', 'many', 'gcs-intent']) await s3.createBucket(bucket);
  await s3.uploadTree(tree, 'intent', 'tree');
  await s3.uploadTree(tree, 'gcs-intent', 'tree');
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A server over the S3 server (or the proxy whose `env` is given), with an organisation's client. */
async function session(env: Record<string, string>, endpoints: Record<string, string> = s3.env) {
  const t = await startTestServer({ ...endpoints, ...env });
  const api = apiClient(t.url, (await signUp(t.url)).apiKey);
  return { t, api };
}

describe('reading from a bucket', () => {
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  /** Between the service and the S3 server: what it counts is what the service really downloaded. */
  let proxy: S3Proxy;
  beforeAll(async () => {
    proxy = await startS3Proxy(s3);
    ({ t, api } = await session(
      { INTENT_INPUT_PATH: 's3://intent/tree', OUTPUT_PATH: 's3://exports/out' },
      proxy.env,
    ));
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('counts without a filter from the Parquet footers alone (under 1% of the tree downloaded)', async () => {
    const mark = proxy.gets.length;
    const created = await api.post('/api/v1/intent_hive_tasks', { ...ALL, perform_unload: false });
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.counts).toEqual(await expectedIntentCounts(tree));
    // Every object read was a ranged read of an object's end (as long as the last footer read and
    // 1 KiB more), or of the rest of its footer when that end fell short; each answered with that
    // many bytes. No object was read more than twice, and never the same bytes twice. In all, the
    // footers and at most 1 KiB more each.
    const footers = footerRanges(tree, 'tree');
    const reads = objectReads(proxy.gets.slice(mark), 'intent');
    expect(reads.length).toBeGreaterThan(0);
    const byKey = new Map<string, Array<[number, number]>>();
    for (const read of reads) {
      const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(read.range ?? '') ?? [];
      expect(read.status, read.key).toBe(206);
      expect(read.bytes, read.key).toBe(Number(end) - Number(start) + 1);
      expect(footers.has(read.key), read.key).toBe(true);
      byKey.set(read.key, [...(byKey.get(read.key) ?? []), [Number(start), Number(end)]]);
    }
    // The longest end read: the longest footer (the one read before may have been it) and 1 KiB.
    const longest = Math.max(...[...footers.values()].map((f) => f.bytes)) + 1024;
    for (const [key, ranges] of byKey) {
      const { size, bytes } = footers.get(key)!;
      const [last, rest] = [...ranges].sort((a, b) => b[1] - a[1]);
      expect(last![1], key).toBe(size - 1);
      expect(size - last![0], key).toBeLessThanOrEqual(longest);
      // The rest of the footer, if read: from the footer's first byte to right before the end read.
      if (rest) expect(rest, key).toEqual([size - bytes, last![0] - 1]);
      expect(ranges.length, key).toBeLessThanOrEqual(2);
    }
    const downloaded = bytesOf(reads);
    expect(downloaded).toBeLessThanOrEqual([...footers.values()].reduce((sum, f) => sum + f.bytes + 1024, 0));
    expect(downloaded / treeBytes).toBeLessThan(0.01);
  });

  it("counts with a filter from footers and its columns' chunks, then exports from whole objects", async () => {
    const mark = proxy.gets.length;
    const created = await api.post('/api/v1/intent_hive_tasks', {
      ...ALL,
      where_expr: WHERE,
      perform_unload: false,
    });
    const counted = await api.waitFor(created.body.task_id, ['counted']);
    expect(nonZero(counted.counts)).toEqual(await expectedIntentCounts(tree, WHERE));
    // Ranged reads only, each answered with exactly its bytes: at most the footers and every chunk
    // of the filter's two columns (DuckDB's own metadata of the files) and a quarter more for the
    // bloom filters and the small gaps read through.
    const countReads = objectReads(proxy.gets.slice(mark), 'intent');
    for (const read of countReads) {
      const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(read.range ?? '') ?? [];
      expect(read.status, read.key).toBe(206);
      expect(read.bytes, read.key).toBe(Number(end) - Number(start) + 1);
    }
    const [chunks] = await duck<{ bytes: bigint }>(
      `SELECT sum(total_compressed_size) AS bytes FROM parquet_metadata('${tree}/**/*.parquet')
       WHERE path_in_schema IN ('intent_score', 'country')`,
    );
    const footers = [...footerRanges(tree, 'tree').values()].reduce((sum, f) => sum + f.bytes, 0);
    const countBytes = bytesOf(countReads);
    expect(countBytes).toBeLessThanOrEqual(1.25 * (footers + Number(chunks!.bytes)));
    expect(countBytes).toBeLessThan(treeBytes / 10);

    // The same count again reads nothing: the sparse copies are kept while the ETags stand.
    const again = proxy.gets.length;
    const recount = await api.post('/api/v1/intent_hive_tasks', {
      ...ALL,
      where_expr: WHERE,
      perform_unload: false,
    });
    expect((await api.waitFor(recount.body.task_id, ['counted'])).total_count).toBe(counted.total_count);
    expect(objectReads(proxy.gets.slice(again), 'intent')).toEqual([]);

    const afterCount = proxy.gets.length;
    await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
    const done = await api.waitFor(created.body.task_id, ['completed']);
    // The export reads every column: each object it reads comes down whole, once.
    const exportReads = objectReads(proxy.gets.slice(afterCount), 'intent');
    const keys = new Set(exportReads.map((read) => read.key));
    expect(keys.size).toBeGreaterThan(0);
    const sizes = [...keys].map((key) => fs.statSync(path.join(tree, key.slice('tree/'.length))).size);
    expect(bytesOf(exportReads)).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(done.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(
      counted.total_count,
    );
    for (const file of done.files) expect(file.uri.startsWith(`s3://exports/out/`)).toBe(true);
    // Presigned for at least LINK_TTL (24 h by default) from the read: signed at the start of the
    // current minute, valid for the TTL plus that minute.
    const url = new URL(done.output_links[0]);
    const signedAt = Date.parse(
      (url.searchParams.get('X-Amz-Date') ?? '').replace(
        /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
        '$1-$2-$3T$4:$5:$6Z',
      ),
    );
    const validUntil = signedAt + Number(url.searchParams.get('X-Amz-Expires')) * 1000;
    expect(validUntil).toBeGreaterThanOrEqual(Date.now() + 86_400_000 - 5_000);
    expect(validUntil).toBeLessThanOrEqual(Date.now() + 86_400_000 + 61_000);
    const download = await fetch(done.output_links[0]);
    expect(download.status).toBe(200);
    // Read to the end, so the connection is free when s3rver closes.
    await download.arrayBuffer();
  });

  it('refuses buckets the operator did not allow', async () => {
    const reply = await api.post('/api/v1/generic_parquet_tasks', { input_path: 's3://exports/out' });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('input_path_forbidden');
    expect(reply.body.detail).toMatch(/s3:\/\/intent/);
  });

  it('fails a task over a corrupt object with an error that names it', async () => {
    const key = 'tree/day=2024-05-03/prefix=4eyes_103/score=low/data_9.parquet';
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'intent', Key: key, Body: Buffer.from('not parquet at all') }),
    );
    try {
      for (const where of [undefined, WHERE]) {
        const created = await api.post('/api/v1/intent_hive_tasks', {
          days: ['2024-05-03'],
          topic_id_prefixes: ['4eyes_103'],
          scores: ['low'],
          perform_unload: false,
          ...(where ? { where_expr: where } : {}),
        });
        const failed = await api.waitFor(created.body.task_id, ['failed']);
        expect(failed.error.code).toBe('input_unreadable');
        expect(failed.error.message).toContain(`s3://intent/${key}`);
      }
    } finally {
      await s3.client.send(new DeleteObjectCommand({ Bucket: 'intent', Key: key }));
    }
  });
});

describe('previewing a bucket', () => {
  it('downloads only the partitions it reads: 5 rows cost the first partition, not the tree', async () => {
    const proxy = await startS3Proxy(s3);
    const { t, api } = await session({ INTENT_INPUT_PATH: 's3://intent/tree' }, proxy.env);
    try {
      // Counted from the footers alone, so the preview is the first to download whole objects.
      const taskId = await api.createIntentTask({ ...ALL, perform_unload: false });
      await api.waitFor(taskId, ['counted']);
      const mark = proxy.gets.length;
      const preview = await api.get(`/api/v1/tasks/${taskId}/preview?limit=5`);
      expect(preview.status).toBe(200);
      expect(preview.body.rows).toHaveLength(5);
      // The first partition in key order (score=high sorts before low and medium).
      const first = treeSize(path.join(tree, 'day=2024-05-01/prefix=4eyes_101/score=high'));
      const downloaded = bytesOf(objectReads(proxy.gets.slice(mark), 'intent'));
      expect(downloaded).toBeGreaterThanOrEqual(first);
      expect(downloaded).toBeLessThan(first + 256 * 1024);
      expect(downloaded / treeBytes).toBeLessThan(0.2);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});

describe('listing', () => {
  it('pages through more than 1,000 objects', async () => {
    // 1,100 small files in 11 folders: the listing takes two pages, the task has 11 partitions.
    const file = path.join(scratch, 'two-rows.parquet');
    await duck(`COPY (SELECT range AS id FROM range(2)) TO '${file}'`);
    const body = fs.readFileSync(file);
    await pMap(
      Array.from({ length: 1100 }, (_, i) => i),
      (i) => {
        const key = `tree/folder=${String(i % 11).padStart(2, '0')}/part-${String(i).padStart(4, '0')}.parquet`;
        return s3.client.send(new PutObjectCommand({ Bucket: 'many', Key: key, Body: body }));
      },
      { concurrency: UPLOADS_AT_ONCE },
    );
    const { t, api } = await session({ INPUT_BUCKETS: 's3://many', OUTPUT_PATH: 's3://exports/many' });
    try {
      const created = await api.post('/api/v1/generic_parquet_tasks', {
        input_path: 's3://many/tree',
        perform_unload: false,
      });
      expect(created.status).toBe(202);
      const task = await api.waitFor(created.body.task_id, ['counted']);
      expect(Object.keys(task.counts)).toHaveLength(11);
      expect(task.total_count).toBe(2200);
      expect(task.counts['folder=10']).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('the staging cache', () => {
  it('stays under its cap and evicts what no job holds', async () => {
    // Room for about one day of the tree: each day's task evicts the copies of the day before.
    const cap = Math.ceil(treeBytes * 0.5);
    const { t, api } = await session({
      INTENT_INPUT_PATH: 's3://intent/tree',
      OUTPUT_PATH: 's3://exports/capped',
      STAGING_CACHE_BYTES: String(cap),
      WORKER_CONCURRENCY: '1',
    });
    try {
      for (const day of ALL.days) {
        const created = await api.post('/api/v1/intent_hive_tasks', {
          ...ALL,
          days: [day],
          where_expr: WHERE,
          perform_unload: false,
        });
        const task = await api.waitFor(created.body.task_id, ['counted']);
        const expected = await expectedIntentCounts(tree, `${WHERE} AND day = DATE '${day}'`);
        expect(nonZero(task.counts)).toEqual(expected);
        expect(t.server.stagingCache.bytes).toBeLessThanOrEqual(cap);
        expect(diskUsage(path.join(t.dataDir, 'cache'))).toBeLessThanOrEqual(cap);
      }
      // The cache did fill up: together the three days are larger than the cap.
      expect(treeBytes).toBeGreaterThan(cap);
    } finally {
      await t.close();
    }
  });
});

describe('failures a user can act on', () => {
  it('a missing bucket: 400 at creation when the input is read there, a failed task otherwise', async () => {
    const { t, api } = await session({
      INTENT_INPUT_PATH: 's3://no-such-bucket/tree',
      STORAGE_MAX_ATTEMPTS: '1',
    });
    try {
      const early = await api.post('/api/v1/intent_hive_tasks', { ...ALL, where_expr: WHERE });
      expect(early.status).toBe(400);
      expect(early.body.detail).toMatch(/no-such-bucket.*does not exist/);
      const created = await api.post('/api/v1/intent_hive_tasks', ALL);
      expect(created.status).toBe(202);
      const failed = await api.waitFor(created.body.task_id, ['failed']);
      expect(failed.error.code).toBe('bucket_not_found');
      expect(failed.error.message).toMatch(/s3:\/\/no-such-bucket\/tree\/.*the bucket does not exist/);
    } finally {
      await t.close();
    }
  });

  it('an object deleted after counting fails the export, naming the object', async () => {
    // A server of its own: its staging cache holds no copy that would still serve the object.
    const { t, api } = await session({
      INTENT_INPUT_PATH: 's3://intent/tree',
      OUTPUT_PATH: 's3://exports/out',
    });
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-02'],
      topic_id_prefixes: ['4eyes_102'],
      scores: ['high'],
      perform_unload: false,
    });
    await api.waitFor(created.body.task_id, ['counted']);
    const key = 'tree/day=2024-05-02/prefix=4eyes_102/score=high/data_0.parquet';
    const body = fs.readFileSync(
      path.join(tree, 'day=2024-05-02/prefix=4eyes_102/score=high/data_0.parquet'),
    );
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'intent', Key: key }));
    try {
      await api.post(`/api/v1/tasks/${created.body.task_id}/unload`);
      const failed = await api.waitFor(created.body.task_id, ['failed']);
      expect(failed.error.code).toBe('object_not_found');
      expect(failed.error.message).toContain(`s3://intent/${key}`);
      expect(failed.files).toEqual([]);
    } finally {
      await s3.client.send(new PutObjectCommand({ Bucket: 'intent', Key: key, Body: body }));
      await t.close();
    }
  });

  it('access denied: the task fails saying so', async () => {
    const { t, api } = await session({
      INTENT_INPUT_PATH: 'gs://gcs-intent/tree',
      GCS_HMAC_ACCESS_KEY_ID: 'NOT-A-KEY',
      STORAGE_MAX_ATTEMPTS: '1',
    });
    try {
      const created = await api.post('/api/v1/intent_hive_tasks', ALL);
      const failed = await api.waitFor(created.body.task_id, ['failed']);
      expect(failed.error.code).toBe('access_denied');
      expect(failed.error.message).toMatch(/gs:\/\/gcs-intent\/tree.*access denied/);
    } finally {
      await t.close();
    }
  });

  it('an endpoint that does not answer: 503 at creation, a failed task after retries, never a 500', async () => {
    const closed = await refusedPort();
    const { t, api } = await session({
      S3_ENDPOINT: `http://127.0.0.1:${closed}`,
      INTENT_INPUT_PATH: 's3://intent/tree',
      STORAGE_MAX_ATTEMPTS: '2',
      STORAGE_TIMEOUT: '2s',
    });
    try {
      const early = await api.post('/api/v1/intent_hive_tasks', { ...ALL, where_expr: WHERE });
      expect(early.status).toBe(503);
      expect(early.body.code).toBe('storage_unavailable');
      const created = await api.post('/api/v1/intent_hive_tasks', ALL);
      const failed = await api.waitFor(created.body.task_id, ['failed'], 60_000);
      expect(failed.error.code).toBe('storage_unreachable');
      expect(failed.error.message).toMatch(/s3:\/\/intent\/tree/);
    } finally {
      await t.close();
    }
  });

  it('transient 503s are retried with backoff and the task completes', async () => {
    // Every third request answered with 503 SlowDown.
    let seen = 0;
    const proxy = await startS3Proxy(s3, () => {
      seen += 1;
      return seen % 3 === 0;
    });
    const { t, api } = await session({ INTENT_INPUT_PATH: 's3://intent/tree' }, proxy.env);
    try {
      // One day of one prefix (3 partitions): enough requests for several 503s, each retried after a
      // backoff of its own.
      const day = ALL.days[0]!;
      const prefix = ALL.topic_id_prefixes[0]!;
      const created = await api.post('/api/v1/intent_hive_tasks', {
        ...ALL,
        days: [day],
        topic_id_prefixes: [prefix],
        where_expr: WHERE,
        perform_unload: false,
      });
      const task = await api.waitFor(created.body.task_id, ['counted'], 60_000);
      expect(nonZero(task.counts)).toEqual(
        await expectedIntentCounts(tree, `${WHERE} AND day = DATE '${day}' AND prefix = '${prefix}'`),
      );
      expect(seen).toBeGreaterThan(3);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  it('a footer read that keeps failing with 503s at creation: 503 storage_unavailable, not a 400', async () => {
    // Listings pass; every ranged read (the footer a where_expr is checked against) is throttled.
    const proxy = await startS3Proxy(s3, (request) => request.headers.range !== undefined);
    const { t, api } = await session(
      { INTENT_INPUT_PATH: 's3://intent/tree', STORAGE_MAX_ATTEMPTS: '2' },
      proxy.env,
    );
    try {
      const early = await api.post('/api/v1/intent_hive_tasks', { ...ALL, where_expr: WHERE });
      expect(early.status).toBe(503);
      expect(early.body.code).toBe('storage_unavailable');
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
