import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip } from '../../src/http/content-encoding.ts';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

let t: TestServer;
let a: Account;
let b: Account;
let apiA: ReturnType<typeof apiClient>;
let prefixes: string[];

function status(taskId: string, account: Account, options: { etag?: string; wait?: string } = {}) {
  const query = options.wait === undefined ? '' : `?wait=${options.wait}`;
  return call(t.url, 'GET', `/api/v1/status/${taskId}${query}`, {
    headers: { 'x-api-key': account.apiKey, ...(options.etag ? { 'if-none-match': options.etag } : {}) },
  });
}

function countTask(days: string[]): Promise<string> {
  return apiA.createIntentTask({
    days,
    topic_id_prefixes: prefixes,
    scores: ['low', 'medium', 'high'],
    perform_unload: false,
  });
}

beforeAll(async () => {
  t = await startTestServer();
  a = await signUp(t.url, 'Org A');
  b = await signUp(t.url, 'Org B');
  apiA = apiClient(t.url, a.apiKey);
  prefixes = await intentPrefixes(t.intentTree);
});
afterAll(async () => t?.close());

describe('conditional status reads', () => {
  it('answers 304 without a body while the ETag still matches, and 200 once it does not', async () => {
    const id = await countTask(['2024-05-01']);
    await apiA.waitFor(id, ['counted']);
    const first = await status(id, a);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);

    const same = await status(id, a, { etag });
    expect(same.status).toBe(304);
    expect(same.body).toBe('');
    expect(same.headers.get('etag')).toBe(etag);
    // A list of tags, a strong form of the same tag, and `*` match too (weak comparison).
    expect((await status(id, a, { etag: `W/"other", ${etag}` })).status).toBe(304);
    expect((await status(id, a, { etag: etag.slice(2) })).status).toBe(304);
    expect((await status(id, a, { etag: '*' })).status).toBe(304);

    const stale = await status(id, a, { etag: 'W/"in_progress.1.0.0.0"' });
    expect(stale.status).toBe(200);
    expect(stale.body.status).toBe('counted');
    expect(stale.headers.get('etag')).toBe(etag);
  });

  it('changes the ETag whenever the task moves on', async () => {
    const id = await countTask(['2024-05-02']);
    const seen = new Map<string, string>();
    for (;;) {
      const reply = await status(id, a);
      const etag = reply.headers.get('etag')!;
      const state = `${reply.body.status} ${reply.body.completed_jobs}/${reply.body.total_jobs}`;
      // One state, one tag; two states never share one.
      if (seen.has(etag)) expect(seen.get(etag)).toBe(state);
      seen.set(etag, state);
      if (reply.body.status === 'counted') break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(new Set(seen.values()).size).toBe(seen.size);
  });
});

describe('long polling (?wait=N with If-None-Match)', () => {
  it('answers as soon as the task changes, with the new detail', async () => {
    const id = await countTask(['2024-05-01', '2024-05-02', '2024-05-03']);
    const first = await status(id, a);
    expect(first.status).toBe(200);
    let etag = first.headers.get('etag')!;
    let body = first.body;
    const seen = [body.status];
    // Every answer of a wait is a change: never the state the reader already holds.
    while (body.status !== 'counted') {
      const started = Date.now();
      const next = await status(id, a, { etag, wait: '30' });
      expect(next.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(next.headers.get('etag')).not.toBe(etag);
      etag = next.headers.get('etag')!;
      body = next.body;
      seen.push(body.status);
    }
    expect(seen.at(-1)).toBe('counted');
    expect(body.total_count).toBeGreaterThan(0);
  });

  it('wakes a waiting reader when the export of a counted task starts', async () => {
    const id = await countTask(['2024-05-03']);
    const counted = await apiA.waitFor(id, ['counted']);
    const etag = (await status(id, a)).headers.get('etag')!;
    expect(counted.status).toBe('counted');
    const waiting = status(id, a, { etag, wait: '30' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = await apiA.post(`/api/v1/tasks/${id}/unload`);
    expect(started.status).toBe(202);
    const woken = await waiting;
    expect(woken.status).toBe(200);
    expect(['unloading', 'completed']).toContain(woken.body.status);
    await apiA.waitFor(id, ['completed']);
  });

  it('answers 304 when the wait ends without a change', async () => {
    const id = await countTask(['2024-05-01']);
    await apiA.waitFor(id, ['counted']);
    const etag = (await status(id, a)).headers.get('etag')!;
    const started = Date.now();
    const reply = await status(id, a, { etag, wait: '1' });
    expect(reply.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    // Without If-None-Match there is nothing to wait for: the detail comes at once.
    const plain = await status(id, a, { wait: '30' });
    expect(plain.status).toBe(200);
  });

  it('never waits on, nor reveals, another organisation’s task', async () => {
    const id = await countTask(['2024-05-02']);
    await apiA.waitFor(id, ['counted']);
    const etag = (await status(id, a)).headers.get('etag')!;
    const reply = await status(id, b, { etag, wait: '30' });
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('task_not_found');
    expect(reply.headers.get('etag')).toBeNull();
  });

  it.each([
    ['61', 'must be from 0 to 60 seconds'],
    ['-1', 'wait'],
    ['abc', 'wait'],
    ['1.5', 'wait'],
    ['100', 'wait'],
  ])('rejects wait=%s with a 400 naming the parameter', async (wait, message) => {
    const id = await countTask(['2024-05-01']);
    const reply = await status(id, a, { wait });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('validation_failed');
    expect(JSON.stringify(reply.body)).toContain(message);
  });

  it('keeps serving after clients hang up in the middle of a wait', async () => {
    const id = await countTask(['2024-05-03']);
    await apiA.waitFor(id, ['counted']);
    const etag = (await status(id, a)).headers.get('etag')!;
    const aborts = Array.from({ length: 20 }, () => {
      const controller = new AbortController();
      const request = fetch(`${t.url}/api/v1/status/${id}?wait=30`, {
        headers: { 'x-api-key': a.apiKey, 'if-none-match': etag },
        signal: controller.signal,
      }).catch((error: unknown) => error);
      setTimeout(() => controller.abort(), 100);
      return request;
    });
    for (const result of await Promise.all(aborts)) expect(String(result)).toMatch(/abort/i);
    // Every wait ended with its client: no reader is left registered.
    for (let i = 0; i < 50 && t.server.changes.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(t.server.changes.size).toBe(0);
    const after = await status(id, a);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('counted');
  });
});

/** A GET with exactly these headers (fetch would add and undo its own Accept-Encoding). */
function rawGet(pathname: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const request = http.get(`${t.url}${pathname}`, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      request.on('error', reject);
    },
  );
}

describe('compressed status answers', () => {
  it('sends a large answer gzipped to a client that accepts gzip, the same JSON as uncompressed', async () => {
    const id = await countTask(['2024-05-01', '2024-05-02', '2024-05-03']);
    await apiA.waitFor(id, ['counted']);
    const path = `/api/v1/status/${id}`;
    const plain = await rawGet(path, { 'x-api-key': a.apiKey });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body.length).toBeGreaterThan(1024);

    const zipped = await rawGet(path, { 'x-api-key': a.apiKey, 'accept-encoding': 'br;q=1.0, gzip;q=0.8' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toMatch(/application\/json/);
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).toEqual(
      JSON.parse(plain.body.toString('utf8')),
    );

    // gzip refused with q=0 means the plain bytes.
    const refused = await rawGet(path, { 'x-api-key': a.apiKey, 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(plain.body)).toBe(true);
  });

  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['GZIP;q=0.5', true],
    ['x-gzip', true],
    ['*', true],
    ['*;q=0.1, br', true],
    ['gzip;q=0', false],
    ['gzip;q=0, *', false],
    ['gzip;q=0.0', false],
    ['*;q=0', false],
    ['br, deflate', false],
    ['identity', false],
    ['', false],
    ['gzip;q=abc', false],
  ])('Accept-Encoding %j accepts gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
