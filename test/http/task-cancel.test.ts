import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';
import { largeTree } from '../support/large-tree.ts';
import { parseScrape, sampleSum } from '../support/prometheus.ts';

/**
 * Cancelling through HTTP, in the embedded mode: an export of the large tree on one DuckDB thread
 * (about 5 s) is cancelled while its query runs. One export slot, so a later task proves the slot
 * was given back.
 */

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let everything: Record<string, string[] | string>;

beforeAll(async () => {
  const tree = await largeTree();
  t = await startTestServer({
    INTENT_INPUT_PATH: tree,
    WORKER_CONCURRENCY: '1',
    COUNT_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
  });
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  everything = {
    days: ['2024-05-01', '2024-05-02'],
    topic_id_prefixes: await intentPrefixes(tree),
    scores: ['low', 'medium', 'high'],
    // A codec named explicitly: the export writes its files (an export of whole files copies them).
    compression: 'snappy',
  };
});
afterAll(async () => t?.close());

/** Scratch folders of export jobs whose `COPY` has started writing: jobs in the middle of their query. */
function exportsWriting(): string[] {
  const staging = path.join(t.dataDir, 'exports', '.staging');
  if (!fs.existsSync(staging)) return [];
  return fs
    .readdirSync(staging)
    .map((job) => path.join(staging, job))
    .filter((scratch) => fs.existsSync(path.join(scratch, 'out')));
}

const taskFolder = (taskId: string) => path.join(t.dataDir, 'exports', account.organizationId, taskId);

describe('cancelling a task', () => {
  let cancelledId: string;

  it('stops an export in the middle of its query: cancelled at once, the job gone within 2 s, no file left', async () => {
    cancelledId = await api.createIntentTask(everything);
    const [scratch] = await vi.waitFor(
      () => {
        const writing = exportsWriting();
        if (writing.length === 0) throw new Error('no export is writing yet');
        return writing;
      },
      { timeout: 30_000, interval: 20 },
    );

    const cancelled = await api.post(`/api/v1/tasks/${cancelledId}/cancel`);
    const calledAt = performance.now();
    expect(cancelled.status).toBe(202);
    expect(cancelled.headers.get('location')).toBe(`/api/v1/status/${cancelledId}`);
    expect(cancelled.body).toEqual({
      task_id: cancelledId,
      status: 'cancelled',
      total_jobs: expect.any(Number),
      completed_jobs: 0,
    });
    const detail = (await api.get(`/api/v1/status/${cancelledId}`)).body;
    expect(detail).toMatchObject({
      status: 'cancelled',
      files: [],
      outputs: {},
      output_links: [],
      error: null,
    });

    // The job was interrupted mid-query: its scratch folder goes long before the export could end.
    await vi.waitFor(() => expect(fs.existsSync(scratch!)).toBe(false), { timeout: 2_000, interval: 10 });
    expect(performance.now() - calledAt).toBeLessThan(2_000);
    expect(fs.existsSync(taskFolder(cancelledId))).toBe(false);
    const samples = parseScrape((await call(t.url, 'GET', '/metrics')).body);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'cancelled' })).toBe(1);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'failed' })).toBe(0);
  });

  it("gives the worker's one export slot back: the next export runs, and the cancelled task stays as it was", async () => {
    const next = await api.createIntentTask({ ...everything, days: ['2024-05-01'], scores: ['high'] });
    const done = await api.waitFor(next, ['completed']);
    expect(done.files.length).toBeGreaterThan(0);
    const detail = (await api.get(`/api/v1/status/${cancelledId}`)).body;
    expect(detail).toMatchObject({ status: 'cancelled', files: [], completed_at: null });
    expect(fs.existsSync(taskFolder(cancelledId))).toBe(false);

    const again = await api.post(`/api/v1/tasks/${next}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'task_state_conflict' });
    expect(again.body.detail).toContain('is completed');
    expect((await api.get(`/api/v1/status/${next}`)).body.files).toEqual(done.files);
  });

  it('cancels a counted task waiting for its export, which then cannot be exported or retried', async () => {
    const counted = await api.createIntentTask({ ...everything, perform_unload: false });
    await api.waitFor(counted, ['counted']);
    const cancelled = await api.post(`/api/v1/tasks/${counted}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    for (const action of ['unload', 'retry', 'cancel']) {
      const refused = await api.post(`/api/v1/tasks/${counted}/${action}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'task_state_conflict' });
      expect(refused.body.detail).toContain('is cancelled');
    }
    expect((await api.get(`/api/v1/status/${counted}`)).body.status).toBe('cancelled');
  });

  it("answers 404 for another organisation's task and an unknown one, and 401 without a key", async () => {
    const other = apiClient(t.url, (await signUp(t.url, 'Other')).apiKey);
    const mine = await api.createIntentTask({ ...everything, perform_unload: false });
    for (const action of ['cancel', 'retry']) {
      const refused = await other.post(`/api/v1/tasks/${mine}/${action}`);
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ code: 'task_not_found' });
      expect((await api.post(`/api/v1/tasks/00000000-0000-4000-8000-000000000000/${action}`)).status).toBe(
        404,
      );
      expect((await call(t.url, 'POST', `/api/v1/tasks/${mine}/${action}`)).status).toBe(401);
    }
    expect((await api.get(`/api/v1/status/${mine}`)).body.status).not.toBe('cancelled');
  });
});
