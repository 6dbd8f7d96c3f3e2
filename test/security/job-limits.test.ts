import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { expectedIntentCounts } from '../support/duck.ts';

let t: TestServer;
let api: ReturnType<typeof apiClient>;
const ALL = {
  days: ['2024-05-01', '2024-05-02', '2024-05-03'],
  topic_id_prefixes: ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'],
  scores: ['low', 'medium', 'high'],
};

beforeAll(async () => {
  t = await startTestServer({ JOB_TIMEOUT: '300ms', WORKER_CONCURRENCY: '1', DUCKDB_THREADS: '1' });
  api = apiClient(t.url, (await signUp(t.url)).apiKey);
});
afterAll(async () => t?.close());

describe('per-job time limit', () => {
  it('fails a task whose query runs too long with an error that says so, and the worker moves on', async () => {
    // Hashes every hashed e-mail eight times more: legal, and far too slow for 300 ms (about 2 s here).
    const slow = await api.post('/api/v1/intent_hive_tasks', {
      ...ALL,
      where_expr: "sha256(sha256(sha256(sha256(sha256(sha256(sha256(sha256(hem_sha256)))))))) < 'a'",
      perform_unload: false,
    });
    expect(slow.status).toBe(202);
    const failed = await api.waitFor(slow.body.task_id, ['failed']);
    expect(failed.error.code).toBe('job_timeout');
    expect(failed.error.message).toMatch(/longer than|stopped/);
    expect(failed.failed_jobs).toBeGreaterThan(0);

    const quick = await api.post('/api/v1/intent_hive_tasks', { ...ALL, perform_unload: false });
    const counted = await api.waitFor(quick.body.task_id, ['counted']);
    expect(counted.counts).toEqual(await expectedIntentCounts(t.intentTree));
  });
});
