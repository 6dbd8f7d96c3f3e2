import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { type S3Server, startS3 } from '../support/s3.ts';
import { expectArchiveOf, type FileView, getArchive, readZip, sha256 } from '../support/zip-archive.ts';

/**
 * GET /api/v1/tasks/{id}/archive: a completed task's files and manifest as one streamed ZIP, read
 * back here by a reader of its own (the central directory, then each entry's bytes and CRC-32).
 */
describe('the archive of a local export', () => {
  let t: TestServer;
  let account: Account;
  let api: ReturnType<typeof apiClient>;
  let prefix: string;
  let task: { task_id: string; files: FileView[]; manifest_url: string };

  beforeAll(async () => {
    t = await startTestServer();
    account = await signUp(t.url);
    api = apiClient(t.url, account.apiKey);
    [prefix] = (await intentPrefixes(t.intentTree)) as [string];
    const taskId = await api.createIntentTask({
      days: ['2024-05-01', '2024-05-02'],
      topic_id_prefixes: [prefix],
      scores: ['low', 'medium', 'high'],
    });
    task = await api.waitFor(taskId, ['completed']);
  });
  afterAll(async () => t?.close());

  it('holds manifest.json and every file in its partition folder, byte for byte, stored', async () => {
    const { response, body } = await getArchive(t.url, task.task_id, { 'x-api-key': account.apiKey });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="task-${task.task_id}.zip"`,
    );
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    expect(task.files.length).toBeGreaterThanOrEqual(4);
    const entries = await expectArchiveOf(task, body, async (uri) => fs.readFileSync(uri));
    // Partition folders stay folders: day=…/prefix=…/score=…/data_0.parquet.
    for (const file of task.files) {
      expect(entries.map((e) => e.name)).toContain(`${file.partition}/${path.basename(file.uri)}`);
    }
    // The same task gives the same bytes every time (entry times are the export's).
    const again = await getArchive(t.url, task.task_id, { 'x-api-key': account.apiKey });
    expect(sha256(again.body)).toBe(sha256(body));
  });

  it("accepts a bearer token and the console's session cookie, and refuses no credentials", async () => {
    const bearer = await getArchive(t.url, task.task_id, { authorization: `Bearer ${account.token}` });
    expect(bearer.response.status).toBe(200);
    const login = await call(t.url, 'POST', '/auth/v1/session', {
      body: { email: account.email, password: account.password },
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const session = await getArchive(t.url, task.task_id, { cookie });
    expect(session.response.status).toBe(200);
    expect(session.body.equals(bearer.body)).toBe(true);
    const none = await getArchive(t.url, task.task_id, {});
    expect(none.response.status).toBe(401);
    expect(none.response.headers.get('content-type')).toContain('application/problem+json');
  });

  it("answers 404 for another organisation's task and an unknown one, never its bytes", async () => {
    const stranger = await signUp(t.url, 'Stranger');
    for (const id of [task.task_id, '00000000-0000-4000-8000-000000000000']) {
      const { response, body } = await getArchive(t.url, id, { 'x-api-key': stranger.apiKey });
      expect(response.status).toBe(404);
      expect(JSON.parse(body.toString('utf8')).code).toBe('task_not_found');
    }
  });

  it('answers 409 until the task is completed, saying when it can be downloaded', async () => {
    const taskId = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
      perform_unload: false,
    });
    await api.waitFor(taskId, ['counted']);
    const { response, body } = await getArchive(t.url, taskId, { 'x-api-key': account.apiKey });
    expect(response.status).toBe(409);
    const problem = JSON.parse(body.toString('utf8'));
    expect(problem.code).toBe('task_state_conflict');
    expect(problem.detail).toContain('counted');
    expect(problem.detail).toContain('completed');
  });

  it('is documented in the OpenAPI document as a 200 application/zip', async () => {
    const document = (await call(t.url, 'GET', '/openapi.json')).body;
    const operation = document.paths['/api/v1/tasks/{task_id}/archive'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/zip']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '409']));
    expect(operation.security).toEqual(expect.arrayContaining([{ session: [] }]));
  });
});

describe('a large archive', () => {
  let t: TestServer;
  let account: Account;

  beforeAll(async () => {
    t = await startTestServer();
    account = await signUp(t.url);
  });
  afterAll(async () => t?.close());

  it('starts answering before it reads the last file: nothing is held whole', async () => {
    // Three 16 MB partitions of random text, stored uncompressed, then a small one: far more than
    // every buffer between the server and this reader (stream buffers, both sockets) can hold.
    const tree = path.join(t.dataDir, 'large');
    for (const [part, rows] of [
      ['a', 250_000],
      ['b', 250_000],
      ['c', 250_000],
      ['d', 20_000],
    ] as const) {
      fs.mkdirSync(path.join(tree, `part=${part}`), { recursive: true });
      await duck(`COPY (SELECT md5(random()::VARCHAR) || md5(random()::VARCHAR) AS s FROM range(${rows}))
        TO '${path.join(tree, `part=${part}`, 'f.parquet')}' (FORMAT parquet, COMPRESSION uncompressed)`);
    }
    const api = apiClient(t.url, account.apiKey);
    const created = await api.post('/api/v1/generic_parquet_tasks', { input_path: tree });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const task: { task_id: string; files: FileView[]; manifest_url: string } = await api.waitFor(
      created.body.task_id,
      ['completed'],
    );
    const files = [...task.files].sort((a, b) => a.uri.localeCompare(b.uri));
    const last = files.at(-1)!;
    const before = files.slice(0, -1).reduce((sum, file) => sum + file.size_bytes, 0);
    expect(before).toBeGreaterThan(45e6);

    const response = await fetch(`${t.url}/api/v1/tasks/${task.task_id}/archive`, {
      headers: { 'x-api-key': account.apiKey },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const chunks: Buffer[] = [];
    const first = await reader.read();
    chunks.push(Buffer.from(first.value!));
    // The answer has begun; the last file is replaced now by another of the same size. Had the
    // server opened or read it already (or held the archive whole), the ZIP would carry the old bytes.
    const replaced = randomBytes(last.size_bytes);
    fs.writeFileSync(`${last.uri}.new`, replaced);
    fs.renameSync(`${last.uri}.new`, last.uri);
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(Buffer.from(next.value));
    }
    const zip = Buffer.concat(chunks);
    expect(zip.length).toBe(Number(response.headers.get('content-length')));
    const entries = readZip(zip);
    const lastEntry = entries.find((e) => last.uri.endsWith(`/${e.name}`) && e.name !== 'manifest.json')!;
    expect(lastEntry.data.equals(replaced)).toBe(true);
    for (const file of files.slice(0, -1)) {
      const entry = entries.find((e) => file.uri.endsWith(`/${e.name}`) && e.name !== 'manifest.json')!;
      expect(entry.data.equals(fs.readFileSync(file.uri)), file.uri).toBe(true);
    }
    expect(entries.map((e) => e.name)).toEqual([
      'manifest.json',
      ...files.map((file) => `${file.partition}/${path.basename(file.uri)}`),
    ]);
  }, 120_000);
});

describe('the archive of an export to S3', () => {
  let s3: S3Server;
  let t: TestServer;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket('exports');
    t = await startTestServer({ ...s3.env, OUTPUT_PATH: 's3://exports/out' });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('streams each object from the bucket into the ZIP, byte for byte', async () => {
    const account = await signUp(t.url);
    const api = apiClient(t.url, account.apiKey);
    const [prefix] = (await intentPrefixes(t.intentTree)) as [string];
    const taskId = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['medium', 'high'],
      format: 'csv',
    });
    const task = await api.waitFor(taskId, ['completed']);
    expect(task.files.length).toBeGreaterThanOrEqual(2);
    for (const file of task.files) expect(file.uri).toMatch(/^s3:\/\/exports\/out\//);
    const { response, body } = await getArchive(t.url, taskId, { 'x-api-key': account.apiKey });
    expect(response.status).toBe(200);
    await expectArchiveOf(task, body, async (uri) => {
      const { host, pathname } = new URL(uri);
      const object = await s3.client.send(new GetObjectCommand({ Bucket: host, Key: pathname.slice(1) }));
      return Buffer.from(await object.Body!.transformToByteArray());
    });
  });
});
