import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Fault, type FaultProxy, type SeenRequest, startFaultProxy } from '../../harness/s3-faults.ts';
import { apiClient, signUp, startTestServer } from '../support/api.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';
import { expectArchiveOf, getArchive } from '../support/zip-archive.ts';

let s3: S3Server;
let tree: string;
let downloads: string;
const DAY = '2024-05-01';
/** One day of the tree: twelve objects, whose columns a filtered count reads and an export reads whole. */
const ONE_DAY = {
  days: [DAY],
  topic_id_prefixes: ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'],
  scores: ['low', 'medium', 'high'],
};
const WHERE = "intent_score >= 50 AND country <> 'US'";
const KEY = `tree/day=${DAY}/prefix=4eyes_102/score=low/data_0.parquet`;

beforeAll(async () => {
  tree = inject('intentTree');
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-faults-'));
  s3 = await startS3();
  for (const bucket of ['intent', 'exports']) await s3.createBucket(bucket);
  await s3.uploadTree(tree, 'intent', 'tree');
  for (const entry of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) {
    if (!entry.name.endsWith('.parquet')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    sizes.set(`tree/${path.relative(tree, file)}`, bytes.length);
    footers.set(`tree/${path.relative(tree, file)}`, 8 + bytes.readUInt32LE(bytes.length - 8));
  }
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
});

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
const expectedDay = (where = 'true') => expectedIntentCounts(tree, `(${where}) AND day = DATE '${DAY}'`);
const isObjectGet = (request: SeenRequest) =>
  request.method === 'GET' && request.bucket === 'intent' && request.key !== '';
/** Size of each input object, by key. */
const sizes = new Map<string, number>();
/** Bytes of each input object's footer with its length and magic, by key. */
const footers = new Map<string, number>();
/** The byte range a GET asked for, if any. */
function rangeOf(request: SeenRequest): [number, number] | undefined {
  const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(request.range ?? '') ?? [];
  return start === undefined ? undefined : [Number(start), Number(end)];
}

/**
 * A GET of an object's data, not of its footer: a whole read of one of the day's objects (an
 * export), a read of its columns' chunks (a filtered count), or a read that resumes either. A footer
 * read asks for the object's end (at most its footer and 1 KiB more) or the rest of the footer.
 */
function readsData(request: SeenRequest): boolean {
  const range = rangeOf(request);
  const size = sizes.get(request.key);
  const footer = footers.get(request.key);
  if (!isObjectGet(request) || !request.key.startsWith(`tree/day=${DAY}/`) || !range) return false;
  if (size === undefined || footer === undefined) return false;
  return range[0] < size - footer - 1024;
}

/** Data reads that resume one broken by `kind`: the same object and end, from a later first byte. */
function resumedAfter(seen: readonly SeenRequest[], kind: Fault['kind']): SeenRequest[] {
  const broken = seen.filter((r) => r.fault === kind && readsData(r));
  return seen.filter((r) => {
    const range = rangeOf(r);
    if (r.fault !== undefined || !readsData(r) || !range) return false;
    return broken.some((b) => b.key === r.key && rangeOf(b)![1] === range[1] && rangeOf(b)![0] < range[0]);
  });
}

/** The first `times` requests of each object that `picks` that the proxy sees get `fault`. */
function firstOfEach(times: number, fault: Fault, picks: (request: SeenRequest) => boolean = readsData) {
  const seen = new Map<string, number>();
  return (request: SeenRequest): Fault | undefined => {
    if (!picks(request)) return undefined;
    const n = (seen.get(request.key) ?? 0) + 1;
    seen.set(request.key, n);
    return n <= times ? fault : undefined;
  };
}

/** A server reading `s3://intent/tree` through the proxy, exporting to `s3://exports/out`. */
async function session(proxy: FaultProxy, env: Record<string, string> = {}) {
  const t = await startTestServer({
    ...proxy.env,
    INTENT_INPUT_PATH: 's3://intent/tree',
    OUTPUT_PATH: 's3://exports/out',
    ...env,
  });
  const account = await signUp(t.url);
  const api = apiClient(t.url, account.apiKey);
  return { t, api, apiKey: account.apiKey, organizationId: account.organizationId };
}

/** Counts a filtered segment of the day (the chunks of its columns) and checks it against DuckDB. */
async function countsExactly(api: ReturnType<typeof apiClient>) {
  const id = await api.createIntentTask({ ...ONE_DAY, where_expr: WHERE, perform_unload: false });
  const task = await api.waitFor(id, ['counted', 'failed'], 60_000);
  expect(task.error).toBeNull();
  expect(nonZero(task.counts)).toEqual(await expectedDay(WHERE));
  return task;
}

/** Keys of the export bucket under a task's folder. */
async function exportedKeys(organizationId: string, taskId: string): Promise<string[]> {
  const listed = await s3.client.send(
    new ListObjectsV2Command({ Bucket: 'exports', Prefix: `out/${organizationId}/${taskId}/` }),
  );
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

describe('a misbehaving object store', () => {
  it('503 SlowDown and 500 on reads and writes: retried with backoff, exact counts and rows', async () => {
    // Each input object's first GET is throttled and its second fails; each export upload too.
    const reads = firstOfEach(2, { kind: 'slowdown' });
    const writes = firstOfEach(2, { kind: 'internal' }, (r) => r.method === 'PUT' && r.bucket === 'exports');
    const proxy = await startFaultProxy(s3, (request) => reads(request) ?? writes(request));
    const { t, api } = await session(proxy);
    try {
      const counted = await countsExactly(api);
      await api.post(`/api/v1/tasks/${counted.task_id}/unload`);
      const done = await api.waitFor(counted.task_id, ['completed'], 60_000);
      const copies = await downloadFiles(done.files, downloads);
      const [rows] = await duck<{ n: bigint }>(
        `SELECT count(*) AS n FROM read_parquet(${JSON.stringify(copies).replaceAll('"', "'")})`,
      );
      expect(Number(rows!.n)).toBe(counted.total_count);
      expect(proxy.seen.filter((r) => r.fault === 'slowdown').length).toBeGreaterThanOrEqual(12);
      expect(proxy.seen.filter((r) => r.fault === 'internal').length).toBeGreaterThanOrEqual(2);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  for (const kind of ['reset', 'truncate'] as const) {
    it(`bodies that break off (${kind}) are read again from the first missing byte: exact counts`, async () => {
      const proxy = await startFaultProxy(s3, firstOfEach(2, { kind }));
      const { t, api } = await session(proxy);
      try {
        await countsExactly(api);
        const broken = proxy.seen.filter((r) => r.fault === kind);
        expect(broken.length).toBeGreaterThanOrEqual(24);
        // A read after a broken one asks only for the rest: the same range from a later first byte.
        expect(resumedAfter(proxy.seen, kind).length).toBeGreaterThanOrEqual(12);
      } finally {
        await t.close();
        await proxy.close();
      }
    });
  }

  it('an archive streamed through connections that break off is whole: every file byte for byte', async () => {
    // Once the export is done, the first read of each exported object breaks off half way.
    let breaking = false;
    const exportedGet = (r: SeenRequest) => breaking && r.method === 'GET' && r.bucket === 'exports';
    const proxy = await startFaultProxy(s3, firstOfEach(1, { kind: 'reset' }, exportedGet));
    const { t, api, apiKey } = await session(proxy);
    try {
      const id = await api.createIntentTask({ ...ONE_DAY, where_expr: WHERE, format: 'csv' });
      const task = await api.waitFor(id, ['completed'], 60_000);
      expect(task.files.length).toBeGreaterThanOrEqual(2);
      breaking = true;
      const { response, body } = await getArchive(t.url, id, { 'x-api-key': apiKey });
      expect(response.status).toBe(200);
      // The bytes in the bucket, read straight from the S3 server, not through the proxy.
      await expectArchiveOf(task, body, async (uri) => {
        const { host, pathname } = new URL(uri);
        const object = await s3.client.send(new GetObjectCommand({ Bucket: host, Key: pathname.slice(1) }));
        return Buffer.from(await object.Body!.transformToByteArray());
      });
      // Every file and the manifest broke off once, and each was read again from where it broke.
      const broken = proxy.seen.filter((r) => r.fault === 'reset');
      expect(broken.length).toBe(task.files.length + 1);
      const resumed = proxy.seen.filter(
        (r) => exportedGet(r) && r.fault === undefined && /^bytes=[1-9]\d*-/.test(r.range ?? ''),
      );
      expect(resumed.length).toBe(task.files.length + 1);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  it('an object whose body is always truncated fails the export with storage_error naming it, no file left', async () => {
    // Footers pass (a count without a filter reads only them); every whole read of one object is cut
    // short. The export names columns, so it reads the chunks of those columns rather than copying.
    const proxy = await startFaultProxy(s3, (r) =>
      r.key === KEY && readsData(r) ? { kind: 'truncate' } : undefined,
    );
    const { t, api, organizationId } = await session(proxy);
    try {
      const id = await api.createIntentTask({
        ...ONE_DAY,
        select: 'person_id, intent_score',
        perform_unload: false,
      });
      const counted = await api.waitFor(id, ['counted'], 60_000);
      expect(counted.counts).toEqual(await expectedDay());
      await api.post(`/api/v1/tasks/${id}/unload`);
      const failed = await api.waitFor(id, ['failed'], 60_000);
      expect(failed.error.code).toBe('storage_error');
      expect(failed.error.message).toContain(`s3://intent/${KEY}`);
      expect(failed.error.message).toMatch(/truncated|broke off/);
      expect(failed.files).toEqual([]);
      expect(await exportedKeys(organizationId, id)).toEqual([]);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  it('answers and bodies that stall past STORAGE_TIMEOUT are given up and read again: exact counts', async () => {
    const stalls = firstOfEach(1, { kind: 'stall', ms: 2000 });
    const bodies = firstOfEach(1, { kind: 'stallBody', ms: 2000 });
    // The first GET of each object stalls before answering, the second stalls half-way through its body.
    const proxy = await startFaultProxy(s3, (request) => stalls(request) ?? bodies(request));
    const { t, api } = await session(proxy, { STORAGE_TIMEOUT: '1s' });
    try {
      await countsExactly(api);
      const stalled = proxy.seen.filter((r) => r.fault === 'stall');
      expect(stalled.length).toBe(12);
      // The client gave up on each stalled request before the proxy answered it.
      expect(stalled.every((r) => r.abandoned)).toBe(true);
      expect(proxy.seen.filter((r) => r.fault === 'stallBody').length).toBe(12);
      // Each stalled body's object is read again after it (the counts above are exact with them),
      // and bodies are taken up again from their first missing byte: on a busy machine a stalled
      // read can also be given up before any byte of it came, or its job tried again from the
      // start, so not every one resumes half-way.
      const bodyStalls = proxy.seen.filter((r) => r.fault === 'stallBody');
      const readAgain = bodyStalls.filter((stall) =>
        proxy.seen
          .slice(proxy.seen.indexOf(stall) + 1)
          .some((r) => r.key === stall.key && r.fault === undefined && readsData(r)),
      );
      expect(readAgain).toEqual(bodyStalls);
      expect(resumedAfter(proxy.seen, 'stallBody').length).toBeGreaterThan(0);
    } finally {
      await t.close();
      await proxy.close();
    }
  });

  it('a store that serves another version than the one listed: object_changed naming it, never a count', async () => {
    // Another object of the tree, with its own ETag, served for KEY as if KEY had been rewritten
    // and the store ignored If-Match.
    const other = await s3.client.send(
      new GetObjectCommand({
        Bucket: 'intent',
        Key: `tree/day=${DAY}/prefix=4eyes_101/score=high/data_0.parquet`,
      }),
    );
    const replacement = {
      body: Buffer.from(await other.Body!.transformToByteArray()),
      etag: other.ETag ?? '',
    };
    const proxy = await startFaultProxy(s3, (r) =>
      isObjectGet(r) && r.key === KEY ? { kind: 'changed', replacement } : undefined,
    );
    const { t, api } = await session(proxy);
    try {
      for (const where of [undefined, WHERE]) {
        const id = await api.createIntentTask({
          ...ONE_DAY,
          perform_unload: false,
          ...(where ? { where_expr: where } : {}),
        });
        const failed = await api.waitFor(id, ['failed'], 60_000);
        expect(failed.error.code).toBe('object_changed');
        expect(failed.error.message).toContain(`s3://intent/${KEY}`);
      }
      expect(proxy.seen.some((r) => r.fault === 'changed')).toBe(true);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
