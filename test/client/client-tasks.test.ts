import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AudiencesClient,
  AudiencesError,
  type IntentTaskBody,
  TaskEndedError,
  type WaitProgress,
} from '../../src/client/index.ts';
import { type Account, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { failure } from './client-failure.ts';

let t: TestServer;
let account: Account;
let client: AudiencesClient;
let prefixes: string[];
let receiver: WebhookReceiver;
let scratch: string;

beforeAll(async () => {
  t = await startTestServer({ WEBHOOK_ALLOW_HTTP: '1', WEBHOOK_ALLOW_PRIVATE: '1' });
  account = await signUp(t.url, 'Client tasks');
  client = new AudiencesClient({ baseUrl: t.url, apiKey: account.apiKey });
  prefixes = await intentPrefixes(t.intentTree);
  receiver = await startReceiver();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-client-'));
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const segment = (days: string[], scores: string[], picked = 2): IntentTaskBody => ({
  days,
  topic_id_prefixes: prefixes.slice(0, picked),
  scores,
});
/** The same segment as a DuckDB filter over the tree. */
const where = (body: IntentTaskBody) =>
  `day IN (${body.days.map((d) => `DATE '${d}'`).join(', ')}) AND prefix IN (${body.topic_id_prefixes
    .map((p) => `'${p}'`)
    .join(', ')}) AND score IN (${body.scores.map((s) => `'${s}'`).join(', ')})`;
const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('catalog, estimate, count, progress', () => {
  it('reads the catalog and an estimate of the segment', async () => {
    const catalog = await client.catalog();
    expect(catalog.prefixes).toEqual(prefixes);
    const body = segment(['2024-05-01'], ['high']);
    const estimate = await client.estimateIntent(body);
    const files = (
      await duck<{ file: string }>(
        `SELECT file FROM glob('${t.intentTree}/day=2024-05-01/*/score=high/*.parquet')`,
      )
    )
      .map((row) => row.file)
      .filter((file) => body.topic_id_prefixes.some((prefix) => file.includes(`/prefix=${prefix}/`)));
    const rows = await expectedIntentCounts(t.intentTree, where(body));
    expect(estimate).toMatchObject({
      files: files.length,
      rows: Object.values(rows).reduce((a, b) => a + b, 0),
    });
    const generic = await client.estimateGeneric({ input_path: path.join(t.intentTree, 'day=2024-05-01') });
    expect(generic.rows).toBeGreaterThan(0);
  });

  it('counts an intent task, reporting each change until it is counted; counts equal DuckDB', async () => {
    const body: IntentTaskBody = {
      ...segment(['2024-05-01', '2024-05-02', '2024-05-03'], ['low', 'medium', 'high'], 4),
      perform_unload: false,
      unique_by: 'person_id',
    };
    const created = await client.createIntentTask(body);
    expect(created.status).toBe('in_progress');
    const reports: WaitProgress[] = [];
    const task = await client.waitFor(created.task_id, {
      until: 'counted',
      onProgress: (p) => reports.push(p),
    });

    expect(task.status).toBe('counted');
    expect(nonZero(task.counts)).toEqual(await expectedIntentCounts(t.intentTree, where(body)));
    // Every report is a change, and progress never goes back.
    expect(reports.at(-1)).toMatchObject({ status: 'counted', completed_jobs: task.total_jobs, task });
    for (const [i, report] of reports.entries()) {
      expect(report.task.status).toBe(report.status);
      if (i === 0) continue;
      const before = reports[i - 1]!;
      expect(`${report.status} ${report.completed_jobs}`).not.toBe(
        `${before.status} ${before.completed_jobs}`,
      );
      expect(report.completed_jobs).toBeGreaterThanOrEqual(before.completed_jobs);
    }

    // The preview reads the segment's first rows.
    const preview = await client.preview(created.task_id, { limit: 3 });
    expect(preview.rows).toHaveLength(3);
    expect(preview.columns.map((c) => c.name)).toContain('person_id');
  });

  it('a generic task too', async () => {
    const created = await client.createGenericTask({
      input_path: path.join(t.intentTree, 'day=2024-05-02'),
      perform_unload: false,
    });
    const task = await client.waitFor(created.task_id, { until: ['counted'] });
    const [rows] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${t.intentTree}/day=2024-05-02/**/*.parquet')`,
    );
    expect(task.total_count).toBe(Number(rows!.n));
  });
});

describe('export and download', () => {
  it('unloads a counted task and downloads every file into dir/<partition>/, sizes and rows as the task says', async () => {
    const body: IntentTaskBody = { ...segment(['2024-05-02'], ['medium', 'high']), perform_unload: false };
    const { task_id } = await client.createIntentTask(body, { idempotencyKey: `unload-${Date.now()}` });
    await client.waitFor(task_id, { until: 'counted' });
    // A wait for completed sees the counted task first, then the changes the unload brings.
    const reports: WaitProgress[] = [];
    const completed = client.waitFor(task_id, { onProgress: (p) => reports.push(p) });
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    const unloading = await client.unload(task_id);
    expect(unloading.status).toBe('unloading');
    const task = await completed;
    expect(reports[0]!.status).toBe('counted');
    expect(reports.at(-1)).toMatchObject({ status: 'completed', completed_jobs: task.total_jobs, task });
    expect(task.files.length).toBeGreaterThan(0);

    const dir = path.join(scratch, 'export');
    const progress: number[] = [];
    const files = await client.download(task_id, dir, { onProgress: (p) => progress.push(p.bytesDone) });

    const totalBytes = task.files.reduce((sum, f) => sum + f.size_bytes, 0);
    expect(progress.at(-1)).toBe(totalBytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(files).toHaveLength(task.files.length);
    for (const [i, file] of task.files.entries()) {
      const local = files[i]!;
      expect(local.path).toBe(path.join(dir, file.partition, path.basename(file.uri)));
      expect(local).toMatchObject({ partition: file.partition, bytes: file.size_bytes, rows: file.rows });
      expect(fs.statSync(local.path).size).toBe(file.size_bytes);
      const [counted] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet('${local.path}')`);
      expect(Number(counted!.n)).toBe(file.rows);
    }
    // The files hold the segment, as DuckDB counts it in the tree; nothing else is left in the folder.
    const expected = await expectedIntentCounts(t.intentTree, where(body));
    const [downloaded] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${dir}/**/*.parquet')`,
    );
    expect(Number(downloaded!.n)).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    const onDisk = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(onDisk.map((e) => path.join(e.parentPath, e.name)).sort()).toEqual(
      files.map((f) => f.path).sort(),
    );
  });

  it("reads a completed export's manifest; a counted task has none (409)", async () => {
    const counted = await client.createIntentTask({
      ...segment(['2024-05-03'], ['high']),
      perform_unload: false,
    });
    await client.waitFor(counted.task_id, { until: 'counted' });
    expect((await failure(client.manifest(counted.task_id))).status).toBe(409);
    await client.unload(counted.task_id);
    const task = await client.waitFor(counted.task_id);
    const manifest = await client.manifest(task.task_id);
    expect(manifest).toMatchObject({ task_id: task.task_id, total_rows: task.total_count });
    expect((manifest.files as Array<{ rows: number }>).map((f) => f.rows)).toEqual(
      task.files.map((f) => f.rows),
    );
  });

  it('keeps the folders a file has below its partition’s (a sliced people export’s bucket=N/)', async () => {
    const task = await client.waitFor(
      (await client.createIntentTask(segment(['2024-05-03'], ['high'], 1))).task_id,
    );
    const file = task.files[0]!;
    const name = path.posix.basename(file.uri);
    const below = `${path.posix.dirname(file.uri)}/bucket=3/${name}`;
    const dir = path.join(scratch, 'below');
    const [local] = await client.download({ ...task, files: [{ ...file, uri: below }] }, dir);
    expect(local!.path).toBe(path.join(dir, file.partition, 'bucket=3', name));
    expect(fs.statSync(local!.path).size).toBe(file.size_bytes);
    // Folders that would climb out of the partition's are refused.
    const climbing = `${path.posix.dirname(file.uri)}/../../../../x/${name}`;
    const error = await failure(client.download({ ...task, files: [{ ...file, uri: climbing }] }, dir));
    expect(error.code).toBe('unsafe_path');
  });

  it('refuses a file whose size is not what the task says, and leaves no file behind', async () => {
    const task = await client.waitFor(
      (await client.createIntentTask(segment(['2024-05-03'], ['high'], 1))).task_id,
    );
    const file = task.files[0]!;
    const dir = path.join(scratch, 'short');
    const error = await failure(
      client.download({ ...task, files: [{ ...file, size_bytes: file.size_bytes + 1 }] }, dir),
    );
    expect(error.code).toBe('size_mismatch');
    expect(fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual(
      [],
    );
  });
});

describe('task list', () => {
  it('iterates every task across pages, newest first', async () => {
    const other = await signUp(t.url, 'Five tasks');
    const five = new AudiencesClient({ baseUrl: t.url, apiKey: other.apiKey });
    const ids: string[] = [];
    for (const day of ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-01', '2024-05-02']) {
      ids.push(
        (await five.createIntentTask({ ...segment([day], ['low'], 1), perform_unload: false })).task_id,
      );
    }
    const first = await five.listTasks({ limit: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const seen: string[] = [];
    for await (const task of five.tasks({ limit: 2 })) seen.push(task.task_id);
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('waitFor ends', () => {
  it('rejects with TaskEndedError when the task is cancelled; retry of it is a 409', async () => {
    const { task_id } = await client.createIntentTask({
      ...segment(['2024-05-01'], ['low'], 1),
      perform_unload: false,
    });
    await client.waitFor(task_id, { until: 'counted' });
    expect((await client.cancel(task_id)).status).toBe('cancelled');
    const ended = await client.waitFor(task_id).catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(TaskEndedError);
    expect(ended).toBeInstanceOf(AudiencesError);
    expect((ended as TaskEndedError).task).toMatchObject({ task_id, status: 'cancelled' });
    expect((ended as TaskEndedError).taskStatus).toBe('cancelled');
    // Waiting for the cancelled status itself resolves.
    expect((await client.waitFor(task_id, { until: ['completed', 'cancelled'] })).status).toBe('cancelled');

    expect(await failure(client.retry(task_id))).toMatchObject({ status: 409, code: 'task_state_conflict' });
    expect(await failure(client.unload(task_id))).toMatchObject({ status: 409, code: 'task_state_conflict' });
  });

  it('rejects with the AbortError as soon as the signal aborts, in the middle of a long poll', async () => {
    const { task_id } = await client.createIntentTask({
      ...segment(['2024-05-02'], ['low'], 1),
      perform_unload: false,
    });
    await client.waitFor(task_id, { until: 'counted' });
    const controller = new AbortController();
    // The task stays counted: waiting for completed long-polls until the abort.
    const waiting = client.waitFor(task_id, {
      signal: controller.signal,
      waitSeconds: 60,
      onProgress: () => setTimeout(() => controller.abort(), 200),
    });
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(error).toBe(controller.signal.reason);
  }, 15_000);

  it('404 for a task that does not exist', async () => {
    const error = await failure(client.getTask('00000000-0000-0000-0000-000000000000'));
    expect(error).toMatchObject({ status: 404, code: 'task_not_found' });
  });
});

describe('webhooks', () => {
  it('creates, lists, shows deliveries of and deletes a webhook', async () => {
    const hook = await client.createWebhook({ url: `${receiver.url}/hook`, events: ['task.counted'] });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await client.listWebhooks()).map((w) => w.id)).toEqual([hook.id]);

    const { task_id } = await client.createIntentTask({
      ...segment(['2024-05-03'], ['low'], 1),
      perform_unload: false,
    });
    await client.waitFor(task_id, { until: 'counted' });
    await receiver.waitFor('/hook', 1);
    const page = await vi.waitFor(async () => {
      const answer = await client.webhookDeliveries(hook.id, { limit: 10 });
      if (answer.deliveries.length === 0) throw new Error('no delivery logged yet');
      return answer;
    });
    expect(page.deliveries[0]).toMatchObject({ event: 'task.counted', task_id, outcome: 'delivered' });

    await client.deleteWebhook(hook.id);
    expect(await client.listWebhooks()).toEqual([]);
    expect(await failure(client.deleteWebhook(hook.id))).toMatchObject({
      status: 404,
      code: 'webhook_not_found',
    });
  });
});
