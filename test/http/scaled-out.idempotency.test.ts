import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, call, type Reply, signUp } from '../support/api.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';

/**
 * `Idempotency-Key` across API processes: two `audiences serve` on one PostgreSQL database (and a
 * worker), requests with one key spread over both. The key's row in the shared store is the lock.
 */
const TASK = {
  days: ['2024-05-02'],
  topic_id_prefixes: ['4eyes_102'],
  scores: ['medium'],
  perform_unload: false,
};

let deployment: Deployment;
let account: Account;

beforeAll(async () => {
  deployment = await startDeployment({ apis: 2, workers: 1 });
  account = await signUp(deployment.url);
});
afterAll(async () => deployment?.close());

/** API process `i % 2`. */
function post(i: number, pathname: string, body: unknown, key: string): Promise<Reply> {
  return call(deployment.apis[i % 2]!.url, 'POST', pathname, {
    body,
    headers: { 'x-api-key': account.apiKey, 'idempotency-key': key },
  });
}

async function taskIds(): Promise<string[]> {
  const listed = await apiClient(deployment.url, account.apiKey).get('/api/v1/status?limit=100');
  return listed.body.tasks.map((task: { task_id: string }) => task.task_id);
}

describe('idempotency keys on 2 serve processes over PostgreSQL', () => {
  it('makes one task of 10 concurrent creates with one key over both APIs; each answer names it', async () => {
    const before = await taskIds();
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(i, '/api/v1/intent_hive_tasks', TASK, key)),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(202));
    const ids = [...new Set(replies.map((reply) => reply.body.task_id))];
    expect(ids).toHaveLength(1);
    expect(replies.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    for (const reply of replies) expect(reply.headers.get('location')).toBe(`/api/v1/status/${ids[0]}`);
    expect(await taskIds()).toEqual([...ids, ...before]);

    // Either process replays it later, and refuses the key for another request.
    for (const i of [0, 1]) {
      const again = await post(i, '/api/v1/intent_hive_tasks', TASK, key);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(replies[0]!.body);
      const reused = await post(i, '/api/v1/intent_hive_tasks', { ...TASK, scores: ['low'] }, key);
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    }
    expect(await taskIds()).toEqual([...ids, ...before]);
  });

  it('starts one export of 6 concurrent unloads with one key over both APIs', async () => {
    const api = apiClient(deployment.url, account.apiKey);
    const taskId = await api.createIntentTask(TASK);
    const counted = await api.waitFor(taskId, ['counted']);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => post(i, `/api/v1/tasks/${taskId}/unload`, undefined, key)),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(6).fill(202));
    for (const reply of replies) expect(reply.body).toEqual(replies[0]!.body);
    expect(replies.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    const completed = await api.waitFor(taskId, ['completed']);
    // The export's jobs, added once, then the one that wrote its manifest.
    expect(completed.total_jobs).toBe(replies[0]!.body.total_jobs + 1);
    const rows = completed.files.reduce((sum: number, file: { rows: number }) => sum + file.rows, 0);
    expect(rows).toBe(counted.total_count);
  });
});
