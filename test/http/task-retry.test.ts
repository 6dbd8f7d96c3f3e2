import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

/**
 * Retrying a failed task through HTTP: a copy of the shared tree with one file broken fails the
 * task; once the file is put back, a retry finishes the task with exact counts and files.
 */

let t: TestServer;
let api: ReturnType<typeof apiClient>;
let tree: string;
let everything: Record<string, string[]>;
/** The last Parquet file of the tree (the one broken), and its bytes. */
let victim: string;
let original: Buffer;

beforeAll(async () => {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-retry-tree-'));
  fs.cpSync(inject('intentTree'), tree, { recursive: true });
  const files = fs
    .readdirSync(tree, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  victim = files.at(-1)!;
  original = fs.readFileSync(victim);
  // Jobs of about 1 MB of input, run one at a time: a task over the tree has several, and those
  // before the one that reads the broken (last) file are done when it fails.
  t = await startTestServer({ INTENT_INPUT_PATH: tree, WORKER_CONCURRENCY: '1', JOB_MAX_BYTES: '1MB' });
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
  everything = {
    days: ['2024-05-01', '2024-05-02', '2024-05-03'],
    topic_id_prefixes: await intentPrefixes(tree),
    scores: ['low', 'medium', 'high'],
  };
});
afterAll(async () => {
  await t?.close();
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
});

const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

interface JobRow {
  id: string;
  phase: string;
  status: string;
  attempts: number;
  updated_at: string;
}

/**
 * The task's jobs and files as the server's SQLite file holds them, read by the test on its own
 * connection: the API shows how many jobs are done, not which.
 */
function stored(taskId: string): {
  jobs: JobRow[];
  files: Array<{ id: string; job_id: string; uri: string }>;
} {
  const db = new SQLite(path.join(t.dataDir, 'audiences.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return {
      jobs: db
        .prepare('SELECT id, phase, status, attempts, updated_at FROM jobs WHERE task_id = ? ORDER BY id')
        .all(taskId) as JobRow[],
      files: db
        .prepare('SELECT id, job_id, uri FROM files WHERE task_id = ? ORDER BY id')
        .all(taskId) as Array<{ id: string; job_id: string; uri: string }>,
    };
  } finally {
    db.close();
  }
}

/**
 * Breaks the file (its size kept, so a retry lists the inputs the failed run listed and splits its
 * jobs alike), runs `work` until the task fails, then puts the file back.
 */
async function failWithBrokenFile(create: () => Promise<string>) {
  fs.writeFileSync(victim, Buffer.alloc(original.length, 'this is not a Parquet file '));
  try {
    const id = await create();
    const failed = await api.waitFor(id, ['failed']);
    return { id, failed };
  } finally {
    fs.writeFileSync(victim, original);
  }
}

describe('retrying a failed task', () => {
  it('runs a failed export again from where it stopped, and completes with exact counts and files', async () => {
    // Written again (zstd), not copied: a copy of whole files is one job, which JOB_MAX_BYTES does
    // not split, and "from where it stopped" needs jobs done before the failure.
    const { id, failed } = await failWithBrokenFile(() =>
      api.createIntentTask({ ...everything, compression: 'zstd' }),
    );
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'input_unreadable' } });
    expect(failed.failed_jobs).toBeGreaterThan(0);
    // Some export jobs had finished before the failure, or "done jobs stay done" would prove nothing.
    const before = stored(id);
    const doneBefore = before.jobs.filter((job) => job.status === 'done');
    expect(failed.completed_jobs).toBe(doneBefore.length);
    expect(doneBefore.filter((job) => job.phase === 'unload').length).toBeGreaterThan(0);
    const doneIds = new Set(doneBefore.map((job) => job.id));
    const keptFiles = before.files.filter((file) => doneIds.has(file.job_id));
    expect(keptFiles.length).toBeGreaterThan(0);

    const retried = await api.post(`/api/v1/tasks/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('location')).toBe(`/api/v1/status/${id}`);
    expect(retried.body).toEqual({
      task_id: id,
      status: 'unloading',
      total_jobs: failed.total_jobs,
      // Done jobs stay done: the retry runs only the rest.
      completed_jobs: failed.completed_jobs,
    });
    const done = await api.waitFor(id, ['completed']);
    const expected = nonZero(await expectedIntentCounts(tree));
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(done).toMatchObject({
      status: 'completed',
      error: null,
      failed_jobs: 0,
      // The failed export's jobs, then the one that wrote its manifest.
      total_jobs: failed.total_jobs + 1,
      completed_jobs: failed.total_jobs + 1,
      total_count: total,
    });
    expect(nonZero(done.counts)).toEqual(expected);
    // The files hold every row once, as an independent DuckDB reads them.
    const uris = done.files.map((file: { uri: string }) => `'${file.uri}'`).join(', ');
    const [onDisk] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet([${uris}])`);
    expect(Number(onDisk!.n)).toBe(total);
    const rowsListed = done.files.reduce((sum: number, file: { rows: number }) => sum + file.rows, 0);
    expect(rowsListed).toBe(total);
    // Exactly the jobs done before the retry were not run again: their rows are as they were (no
    // new attempt, no later update) and so are their files; every other job ran after it and is done.
    const after = stored(id);
    const unchanged = after.jobs.filter((job) =>
      before.jobs.some((old) => JSON.stringify(old) === JSON.stringify(job)),
    );
    expect(unchanged).toEqual(doneBefore);
    for (const job of before.jobs) {
      expect(after.jobs.find((now) => now.id === job.id)?.status, job.id).toBe('done');
    }
    expect(after.files.filter((file) => doneIds.has(file.job_id))).toEqual(keptFiles);

    const again = await api.post(`/api/v1/tasks/${id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'task_state_conflict' });
    expect(again.body.detail).toContain('only a failed task can be retried');
  });

  it('runs a failed filtered count again, back in_progress, and ends counted with exact counts', async () => {
    const where = 'intent_score >= 50';
    const { id, failed } = await failWithBrokenFile(() =>
      api.createIntentTask({ ...everything, where_expr: where, perform_unload: false }),
    );
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'input_unreadable' } });
    const retried = await api.post(`/api/v1/tasks/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('in_progress');
    const counted = await api.waitFor(id, ['counted']);
    expect(counted).toMatchObject({ error: null, failed_jobs: 0 });
    expect(nonZero(counted.counts)).toEqual(nonZero(await expectedIntentCounts(tree, where)));
  });

  it('refuses to cancel a failed task, which has ended (409): retry it instead', async () => {
    const { id } = await failWithBrokenFile(() => api.createIntentTask(everything));
    const refused = await api.post(`/api/v1/tasks/${id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('is failed');
  });
});
