import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedCatalog } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

const CATALOG = '/api/v1/catalog/intent';

/** The catalog's fields from the independent answer (footerRows is a cross-check, not a field). */
function fieldsOf({ footerRows: _footerRows, ...fields }: Awaited<ReturnType<typeof expectedCatalog>>) {
  return fields;
}

describe('GET /api/v1/catalog/intent over a local tree', () => {
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  let tree: string;

  beforeAll(async () => {
    // A copy of the shared tree, so this test may change it.
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-catalog-tree-'));
    fs.cpSync(inject('intentTree'), tree, { recursive: true });
    t = await startTestServer({ INTENT_INPUT_PATH: tree });
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('answers the days, prefixes, scores, columns, files, rows and bytes of the tree', async () => {
    const expected = await expectedCatalog(tree);
    // The independent answer is a real one: the tree's 3 days, 4 prefixes, 3 scores, footers = count(*).
    expect(expected.days).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
    expect(expected.prefixes).toHaveLength(4);
    expect(expected.footerRows).toBe(expected.rows);

    const reply = await api.get(CATALOG);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(fieldsOf(expected));
    // Partition columns with the types filters compare them as.
    expect(reply.body.columns).toEqual(
      expect.arrayContaining([
        { name: 'day', type: 'DATE' },
        { name: 'prefix', type: 'VARCHAR' },
        { name: 'score', type: 'VARCHAR' },
        { name: 'intent_score', type: expect.any(String) },
      ]),
    );
  });

  it('shows a new day at once, and a removed prefix is gone at the next request', async () => {
    expect((await api.get(CATALOG)).body.days).not.toContain('2024-05-04');
    fs.cpSync(path.join(tree, 'day=2024-05-03'), path.join(tree, 'day=2024-05-04'), { recursive: true });
    const added = await api.get(CATALOG);
    expect(added.body.days).toContain('2024-05-04');
    expect(added.body).toEqual(fieldsOf(await expectedCatalog(tree)));

    const [gone] = added.body.prefixes as string[];
    for (const day of fs.readdirSync(tree).filter((name) => name.startsWith('day='))) {
      fs.rmSync(path.join(tree, day, `prefix=${gone}`), { recursive: true, force: true });
    }
    const removed = await api.get(CATALOG);
    expect(removed.body.prefixes).not.toContain(gone);
    expect(removed.body).toEqual(fieldsOf(await expectedCatalog(tree)));
  });

  it('counts a file without rows in files and bytes, but offers no value that has no rows', async () => {
    const [sample] = (
      await duck<{ file: string }>(`SELECT file FROM glob('${tree}/**/*.parquet') LIMIT 1`)
    ).map((row) => row.file);
    const folder = path.join(tree, 'day=2024-06-01', 'prefix=zz_empty', 'score=high');
    fs.mkdirSync(folder, { recursive: true });
    await duck(
      `COPY (SELECT * FROM read_parquet('${sample}', hive_partitioning = false) LIMIT 0) TO '${folder}/data_0.parquet' (FORMAT parquet)`,
    );
    const reply = await api.get(CATALOG);
    const expected = await expectedCatalog(tree);
    expect(expected.days).not.toContain('2024-06-01');
    expect(reply.body).toEqual(fieldsOf(expected));
    expect(reply.body.prefixes).not.toContain('zz_empty');
  });

  it('needs credentials', async () => {
    const reply = await call(t.url, 'GET', CATALOG);
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('unauthorized');
  });
});

describe('GET /api/v1/catalog/intent over an S3 tree', () => {
  let s3: S3Server;
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  const tree = inject('intentTree');
  /** A local mirror of what the bucket holds, for the independent answer. */
  let mirror: string;
  /** Footer bytes the first catalog read fetched (every file's). */
  let allFooterBytes = 0;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket('catalog');
    await s3.uploadTree(tree, 'catalog', 'intent');
    mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-catalog-mirror-'));
    fs.cpSync(tree, mirror, { recursive: true });
    t = await startTestServer({ ...s3.env, INTENT_INPUT_PATH: 's3://catalog/intent', CATALOG_TTL: '4' });
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    fs.rmSync(mirror, { recursive: true, force: true });
  });

  it('equals the tree, reading footers by ranged reads and each footer once', async () => {
    const metrics = t.server.objectStorage.s3!.metrics;
    const before = metrics.bytesDownloaded;
    const reply = await api.get(CATALOG);
    expect(reply.status).toBe(200);
    const expected = await expectedCatalog(mirror);
    expect(reply.body).toEqual(fieldsOf(expected));
    // Footers only: a small fraction of the tree's bytes.
    allFooterBytes = metrics.bytesDownloaded - before;
    expect(allFooterBytes).toBeGreaterThan(0);
    expect(allFooterBytes).toBeLessThan(expected.bytes / 10);

    // Within CATALOG_TTL the answer is the cached one: nothing is listed or read.
    const requests = metrics.requests;
    expect((await api.get(CATALOG)).body).toEqual(reply.body);
    expect(metrics.requests).toBe(requests);
  });

  it('sees a change of the bucket once CATALOG_TTL has passed, reading only the new footers', async () => {
    const first = await api.get(CATALOG);
    await s3.uploadTree(path.join(tree, 'day=2024-05-01'), 'catalog', 'intent/day=2024-05-09');
    fs.cpSync(path.join(tree, 'day=2024-05-01'), path.join(mirror, 'day=2024-05-09'), { recursive: true });
    const metrics = t.server.objectStorage.s3!.metrics;
    const before = metrics.bytesDownloaded;
    // Still the cached answer right after the upload: the catalog was listed well within 4 s ago.
    expect((await api.get(CATALOG)).body).toEqual(first.body);

    await new Promise((resolve) => setTimeout(resolve, 4100));
    const later = await api.get(CATALOG);
    expect(later.body.days).toContain('2024-05-09');
    expect(later.body).toEqual(fieldsOf(await expectedCatalog(mirror)));
    // Only the new day's footers were fetched (12 of now 48 files, copies of 12 of the first 36):
    // the others came from the cache.
    const fetched = metrics.bytesDownloaded - before;
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThan(allFooterBytes / 2);
  });
});
