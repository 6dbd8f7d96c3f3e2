import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadName } from '../../src/downloads/download-name.ts';
import { attachmentDisposition } from '../../src/storage/content-disposition.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';

interface FileView {
  partition: string;
  uri: string;
  url: string;
  rows: number;
  size_bytes: number;
}

let t: TestServer;
let api: ReturnType<typeof apiClient>;
let prefix: string;
let task: { task_id: string; output_links: string[]; files: FileView[]; manifest_url: string };
let scratch: string;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PARQUET_MAGIC = Buffer.from('PAR1');

async function exportTask(client: ReturnType<typeof apiClient>, scores: string[]) {
  const created = await client.post('/api/v1/intent_hive_tasks', {
    days: ['2024-05-02'],
    topic_id_prefixes: [prefix],
    scores,
  });
  expect(created.status).toBe(202);
  return client.waitFor(created.body.task_id, ['completed']);
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-downloads-'));
  t = await startTestServer();
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];
  task = await exportTask(api, ['low', 'medium', 'high']);
});
afterAll(async () => {
  await t?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** A GET whose path is sent exactly as written: fetch would resolve `..` and `%2e%2e` first. */
function rawGet(
  base: string,
  rawPath: string,
): Promise<{ status: number; body: Buffer; contentType: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: rawPath, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks),
          contentType: String(response.headers['content-type'] ?? ''),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

/** A refused download: 403 or 404, a problem document, and never the bytes of a Parquet file. */
function expectRefused(reply: { status: number; body: Buffer; contentType: string }) {
  expect([403, 404], reply.body.toString('utf8').slice(0, 300)).toContain(reply.status);
  expect(reply.contentType).toContain('application/problem+json');
  expect(reply.body.subarray(0, 4).equals(PARQUET_MAGIC)).toBe(false);
  expect(reply.body.includes(PARQUET_MAGIC)).toBe(false);
}

async function fetchRefused(url: string) {
  const response = await fetch(url);
  expectRefused({
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
    contentType: response.headers.get('content-type') ?? '',
  });
  return response.status;
}

describe('signed download links', () => {
  it("hands out links to the server's own address, downloadable as they are", async () => {
    // startTestServer listens on PORT=0 (a free port), so the links must name the port it got.
    for (const link of task.output_links) {
      expect(new URL(link).origin).toBe(t.url);
      const response = await fetch(link);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
      await response.arrayBuffer();
    }
  });

  it('downloads every exported file with plain fetch, byte for byte, with its rows', async () => {
    expect(task.files.length).toBeGreaterThanOrEqual(2);
    expect(task.output_links).toEqual(task.files.map((file) => file.url));
    for (const [i, file] of task.files.entries()) {
      const response = await fetch(file.url);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(file.size_bytes);
      expect(sha256(bytes)).toBe(sha256(fs.readFileSync(file.uri)));

      const copy = path.join(scratch, `download-${i}.parquet`);
      fs.writeFileSync(copy, bytes);
      const [counted] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet('${copy}')`);
      expect(Number(counted!.n)).toBe(file.rows);
    }
    const total = task.files.reduce((sum, file) => sum + file.rows, 0);
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${t.intentTree}/day=2024-05-02/prefix=${prefix}/*/*.parquet')`,
    );
    expect(total).toBe(Number(expected!.n));
  });

  it('refuses a tampered signature, a changed expiry and a missing signature or expiry (403)', async () => {
    const url = new URL(task.files[0]!.url);
    const signature = url.searchParams.get('signature')!;
    const expires = url.searchParams.get('expires')!;
    expect(signature).toBeTruthy();
    expect(Number(expires)).toBeGreaterThan(Date.now() / 1000);

    const tampered = new URL(url);
    // The first character: all its bits count (the last one of base64url carries padding bits).
    const first = signature[0] === 'A' ? 'B' : 'A';
    tampered.searchParams.set('signature', first + signature.slice(1));
    expect(await fetchRefused(tampered.href)).toBe(403);

    const later = new URL(url);
    later.searchParams.set('expires', String(Number(expires) + 3600));
    expect(await fetchRefused(later.href)).toBe(403);

    const earlier = new URL(url);
    earlier.searchParams.set('expires', String(Number(expires) - 1));
    expect(await fetchRefused(earlier.href)).toBe(403);

    for (const param of ['signature', 'expires']) {
      const missing = new URL(url);
      missing.searchParams.delete(param);
      expect(await fetchRefused(missing.href)).toBe(403);
    }
    const empty = new URL(url);
    empty.searchParams.set('signature', '');
    expect(await fetchRefused(empty.href)).toBe(403);

    // The genuine link still works: none of the attempts spent it.
    const response = await fetch(url);
    expect(response.status).toBe(200);
    // Read to the end: a body left unread holds its connection until it is collected, and the
    // server's close waits for it.
    await response.arrayBuffer();
  });

  it('names each download after its partition, in the link and in Content-Disposition', async () => {
    const names = new Set<string>();
    for (const file of task.files) {
      // Every partition's first file is data_0.parquet: the name says which partition it holds.
      const name = `${file.partition.replaceAll('/', '_')}_${path.basename(file.uri)}`;
      expect(name).toMatch(/^day=2024-05-02_prefix=[^/]+_score=(low|medium|high)_data_0\.parquet$/);
      expect(decodeURIComponent(new URL(file.url).pathname.split('/').at(-1)!)).toBe(name);
      const response = await fetch(file.url);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      await response.arrayBuffer();
      names.add(name);
    }
    expect(names.size).toBe(task.files.length);
    const detail = (await api.get(`/api/v1/status/${task.task_id}`)).body;
    const manifest = await fetch(detail.manifest_url);
    expect(manifest.headers.get('content-disposition')).toBe('attachment; filename="manifest.json"');
    await manifest.arrayBuffer();
  });

  it("still serves a link signed with the bare file name, and no file under another partition's name", async () => {
    const [one, other] = task.files.map((file) => new URL(file.url));
    const bare = new URL(one!);
    bare.pathname = bare.pathname.replace(/[^/]+$/, 'data_0.parquet');
    const response = await fetch(bare);
    expect(response.status).toBe(200);
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(
      sha256(fs.readFileSync(task.files[0]!.uri)),
    );
    const misnamed = new URL(one!);
    misnamed.pathname = misnamed.pathname.replace(/[^/]+$/, other!.pathname.split('/').at(-1)!);
    expect(await fetchRefused(misnamed.href)).toBe(404);
  });

  it("refuses one file's signature used with another file's id", async () => {
    const [one, other] = task.files.map((file) => new URL(file.url));
    const [, , , , oneId] = one!.pathname.split('/');
    const [, , , , otherId, otherName] = other!.pathname.split('/');
    expect(oneId).not.toBe(otherId);
    const swapped = new URL(`/api/v1/downloads/${otherId}/${otherName}${one!.search}`, t.url);
    expect(await fetchRefused(swapped.href)).toBe(403);
  });

  it("refuses another task's signature (of another organisation) used with this task's file id", async () => {
    const stranger = apiClient(t.url, (await signUp(t.url, 'Stranger')).apiKey);
    const theirs = await exportTask(stranger, ['high']);
    const their = new URL(theirs.files[0]!.url);
    const mine = new URL(task.files[0]!.url);
    const forged = new URL(`${mine.pathname}${their.search}`, t.url);
    expect(await fetchRefused(forged.href)).toBe(403);
  });

  it('refuses traversal in the path, plain or encoded, and never serves file bytes', async () => {
    const link = new URL(task.files[0]!.url);
    const [, , , , fileId] = link.pathname.split('/');
    const query = link.search;
    const attempts = [
      `/api/v1/downloads/${fileId}/..${query}`,
      `/api/v1/downloads/${fileId}/../../../../etc/passwd${query}`,
      `/api/v1/downloads/${fileId}/..%2F..%2F..%2F..%2Fetc%2Fpasswd${query}`,
      `/api/v1/downloads/${fileId}/%2e%2e%2f%2e%2e%2fdata_0.parquet${query}`,
      `/api/v1/downloads/${fileId}/..%5C..%5Cdata_0.parquet${query}`,
      `/api/v1/downloads/..%2F..%2F${fileId}/data_0.parquet${query}`,
      `/api/v1/downloads/%2e%2e/${fileId}${query}`,
      `/api/v1/downloads/${fileId}/data_0.parquet%00.txt${query}`,
      `/api/v1/downloads/${fileId}/%2Fetc%2Fpasswd${query}`,
    ];
    for (const attempt of attempts) expectRefused(await rawGet(t.url, attempt));
  });
});

describe('links that expire', () => {
  let short: TestServer;
  let shortApi: ReturnType<typeof apiClient>;
  let taskId: string;

  beforeAll(async () => {
    short = await startTestServer({ LINK_TTL: '1s' });
    shortApi = apiClient(short.url, (await signUp(short.url)).apiKey);
    const created = await shortApi.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
    });
    taskId = created.body.task_id;
    await shortApi.waitFor(taskId, ['completed']);
  });
  afterAll(async () => short?.close());

  /** Waits until just past a whole second, so a freshly signed link has its full time to live. */
  async function startOfSecond() {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
  }

  it('stops a link working once it expires, and a fresh status read gives a working one', async () => {
    await startOfSecond();
    const first = await shortApi.get(`/api/v1/status/${taskId}`);
    const stale = first.body.output_links[0];
    const working = await fetch(stale);
    expect(working.status).toBe(200);
    await working.arrayBuffer();

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetch(stale);
    expect(response.status).toBe(403);
    const problem = await response.json();
    expect(problem.code).toBe('link_invalid');

    await startOfSecond();
    const again = await shortApi.get(`/api/v1/status/${taskId}`);
    const fresh = again.body.output_links[0];
    expect(fresh).not.toBe(stale);
    const download = await fetch(fresh);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(fs.readFileSync(again.body.files[0].uri)));
  });

  it('signs a link valid for at least LINK_TTL from the status read', async () => {
    const before = Date.now();
    const reply = await shortApi.get(`/api/v1/status/${taskId}`);
    const expires = Number(new URL(reply.body.output_links[0]).searchParams.get('expires'));
    // LINK_TTL is 1s: a link read at `before` must still be valid at `before + 1000`.
    expect(expires * 1000).toBeGreaterThanOrEqual(before + 1000);
  });
});

/**
 * A generic tree whose partition folders hold a non-ASCII letter, a quote and a tab: one file,
 * exported as it is. Returns the finished task.
 */
async function exportOddTree(client: ReturnType<typeof apiClient>, dataDir: string) {
  const root = fs.mkdtempSync(path.join(dataDir, 'odd-'));
  const folder = path.join(root, 'city=Zürich', 'label=a"b\tc');
  fs.mkdirSync(folder, { recursive: true });
  await duck(
    `COPY (SELECT range AS n FROM range(10)) TO '${path.join(folder, 'f.parquet')}' (FORMAT parquet)`,
  );
  const created = await client.post('/api/v1/generic_parquet_tasks', { input_path: root });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  return client.waitFor(created.body.task_id, ['completed']);
}

/** What an odd-tree file must be saved as: `_` for the quote and the tab, the ü kept in `filename*`. */
function oddDisposition(file: FileView): string {
  expect(file.partition).toBe('city=Zürich/label=a"b\tc');
  const base = path.basename(file.uri);
  return (
    `attachment; filename="city=Z_rich_label=a_b_c_${base}"; ` +
    `filename*=UTF-8''city%3DZ%C3%BCrich_label%3Da_b_c_${encodeURIComponent(base)}`
  );
}

describe('download names of every kind of output', () => {
  it('names a single file all_…, a people export people_…', async () => {
    for (const [extra, name] of [
      [{ single_file: true }, 'all_data_0.parquet'],
      [{ unique_by: 'person_id', output: 'people' }, 'people_data_0.parquet'],
    ] as const) {
      const created = await api.post('/api/v1/intent_hive_tasks', {
        days: ['2024-05-01', '2024-05-02'],
        topic_id_prefixes: [prefix],
        scores: ['medium', 'high'],
        ...extra,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(202);
      const done = await api.waitFor(created.body.task_id, ['completed']);
      expect(done.files).toHaveLength(1);
      const response = await fetch(done.files[0].url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      await response.arrayBuffer();
    }
  });

  it('replaces quotes and control characters, and gives a non-ASCII name as filename* (RFC 8187)', async () => {
    const done = await exportOddTree(api, t.dataDir);
    expect(done.files).toHaveLength(1);
    const [file] = done.files as FileView[];
    const response = await fetch(file!.url);
    expect(response.status).toBe(200);
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toBe(oddDisposition(file!));
    const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1]!;
    expect(decodeURIComponent(star)).toBe(`city=Zürich_label=a_b_c_${path.basename(file!.uri)}`);
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(file!.size_bytes);
  });
});

describe('download names of presigned links', () => {
  let s3: S3Server;

  beforeAll(async () => {
    s3 = await startS3();
    for (const bucket of ['exports', 'gcs-exports']) await s3.createBucket(bucket);
  });
  afterAll(async () => s3?.close());

  it.each(['s3://exports/names', 'gs://gcs-exports/names'])(
    'names each file exported to %s after its partition, through the store itself',
    async (output) => {
      const server = await startTestServer({ ...s3.env, OUTPUT_PATH: output });
      try {
        const client = apiClient(server.url, (await signUp(server.url)).apiKey);
        const done = await exportTask(client, ['low', 'high']);
        expect(done.files.length).toBeGreaterThanOrEqual(2);
        for (const file of done.files) {
          // Presigned by the store: the API never sees these downloads.
          expect(new URL(file.url).origin).toBe(s3.endpoint);
          const name = `${file.partition.replaceAll('/', '_')}_${path.basename(file.uri)}`;
          const response = await fetch(file.url);
          expect(response.status).toBe(200);
          expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
          expect(Buffer.from(await response.arrayBuffer()).length).toBe(file.size_bytes);
        }
        const odd = (await exportOddTree(client, server.dataDir)).files[0] as FileView;
        const response = await fetch(odd.url);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-disposition')).toBe(oddDisposition(odd));
        await response.arrayBuffer();
      } finally {
        await server.close();
      }
    },
    120_000,
  );
});

describe('download names of partitions too long or hostile for a file name', () => {
  it('cuts a long partition to 200 bytes, keeping the file name and two partitions apart', () => {
    const long = `city=${'é'.repeat(300)}`;
    const names = [
      downloadName(long, '/x/data_0.parquet'),
      downloadName(`${long}/more`, '/x/data_0.parquet'),
    ];
    for (const name of names) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
      expect(name).toMatch(/^city=é+~[0-9a-f]{8}_data_0\.parquet$/);
      const header = attachmentDisposition(name);
      expect(header).toMatch(/^[\x20-\x7e]+$/);
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]!)).toBe(name);
    }
    expect(names[0]).not.toBe(names[1]);
  });

  it('names a file in a folder below its partition’s with that folder too', () => {
    const root = 's3://b/exports/org/task';
    expect(downloadName('people', `${root}/people/bucket=3/data_0.parquet`)).toBe(
      'people_bucket=3_data_0.parquet',
    );
    expect(downloadName('people', `${root}/people/data_0.parquet`)).toBe('people_data_0.parquet');
    // A folder above the partition's is not the file's: only the partition's and below.
    expect(downloadName('people', '/people/x/people/bucket=1/data_0.csv')).toBe('people_bucket=1_data_0.csv');
  });

  it('never climbs out of a folder nor hides the extension behind a right-to-left override', () => {
    expect(downloadName('../a/./b', '/x/f.parquet')).toBe('a_b_f.parquet');
    expect(downloadName('.', '/x/f.parquet')).toBe('f.parquet');
    expect(downloadName('x=\u202etqp\r\n', '/x/f.parquet')).toBe('x=_tqp___f.parquet');
    // Plain ASCII needs no filename*; otherwise RFC 8187 encodes what attr-char leaves out, ' ( ) * too.
    expect(attachmentDisposition("it's (1)*.csv")).toBe(`attachment; filename="it's (1)*.csv"`);
    expect(attachmentDisposition("é'(1)*.csv")).toBe(
      `attachment; filename="_'(1)*.csv"; filename*=UTF-8''%C3%A9%27%281%29%2A.csv`,
    );
  });
});
