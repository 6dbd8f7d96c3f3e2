import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, type ServerProcess, spawnServer } from '../../harness/server-process.ts';
import { apiClient, call, signUp } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

let dataDir: string;
let port: string;
let server: ServerProcess | undefined;

/** Starts `audiences start` on the same folder and port each time, as a restart would. */
async function start(): Promise<string> {
  server = await spawnServer({
    DATA_DIR: dataDir,
    PORT: port,
    INTENT_INPUT_PATH: inject('intentTree'),
    WORKER_CONCURRENCY: '1',
    DUCKDB_THREADS: '1',
    LOG_LEVEL: 'warn',
  });
  return server.url;
}

/** The process dies at once, wherever it is: no shutdown hook runs. */
async function kill(): Promise<void> {
  const running = server;
  server = undefined;
  await running?.stop('SIGKILL');
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-restart-'));
  port = String(await freePort());
});
afterAll(async () => {
  await kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('restart', () => {
  it('keeps accounts, keys and tasks, and finishes a task that was running when the process died', async () => {
    let url = await start();
    const account = await signUp(url);
    let api = apiClient(url, account.apiKey);
    const tree = inject('intentTree');
    const prefixes = await intentPrefixes(tree);
    const where = 'intent_score >= 20';
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01', '2024-05-02', '2024-05-03'],
      topic_id_prefixes: prefixes,
      scores: ['low', 'medium', 'high'],
      where_expr: where,
    });
    expect(created.status).toBe(202);
    const taskId = created.body.task_id;
    // Kill it as soon as the export has started: the first export files are being written.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = (await api.get(`/api/v1/status/${taskId}`)).body;
      if (status.status === 'unloading') break;
      if (status.status === 'completed') throw new Error('the task finished before it could be interrupted');
      if (Date.now() > deadline) throw new Error('the task never started exporting');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await kill();

    url = await start();
    api = apiClient(url, account.apiKey);
    const login = await call(url, 'POST', '/auth/v1/login', {
      body: { email: account.email, password: account.password },
    });
    expect(login.status).toBe(200);
    const task = await api.waitFor(taskId, ['completed']);
    const expected = await expectedIntentCounts(tree, where);
    expect(Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0))).toEqual(
      expected,
    );
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(task.total_count).toBe(total);
    // Every row exported exactly once: no file of the interrupted run is left over or listed twice.
    const exportDir = path.join(dataDir, 'exports', account.organizationId, taskId);
    const [onDisk] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${exportDir}/**/*.parquet')`,
    );
    expect(Number(onDisk!.n)).toBe(total);
    expect(task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(total);
    const list = await api.get('/api/v1/status');
    expect(list.body.tasks.map((t: { task_id: string }) => t.task_id)).toContain(taskId);
    await kill();
  });
});
