import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

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
let task: { task_id: string; output_links: string[]; files: FileView[] };
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
    expect((await fetch(url)).status).toBe(200);
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
    expect((await fetch(stale)).status).toBe(200);

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
