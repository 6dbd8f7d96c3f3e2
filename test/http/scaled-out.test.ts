import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../harness/postgres.ts';
import type { ServerProcess } from '../../harness/server-process.ts';
import { type Account, apiClient, call, signUp } from '../support/api.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { downloadFiles } from '../support/downloads.ts';
import { duck, expectedIntentCounts, intentPrefixes, json } from '../support/duck.ts';
import { parseScrape, sampleSum } from '../support/prometheus.ts';

/**
 * One scaled-out deployment, the way an operator runs it: `audiences migrate`, then two
 * `audiences serve` on different ports and one `audiences worker`, sharing a fresh PostgreSQL
 * database, a Redis prefix and one output folder. Every call a client makes may land on either API.
 */

/** A wake-up through Redis takes milliseconds; the store re-check, the fallback, comes every 2 s. */
const WAKE_LIMIT_MS = 1_000;

let deployment: Deployment;
let downloads: string;
let api1: ServerProcess;
let api2: ServerProcess;
let worker: ServerProcess;
let tree: string;
let prefixes: string[];
let account: Account;

/** What a reader on API 2 saw: when it asked, what it held, and when and what it got back. */
interface Poll {
  taskId: string;
  sentAt: number;
  receivedAt: number;
  status: number;
  body: { status: string; completed_jobs: number } | undefined;
}
const polls: Poll[] = [];

/** Tables in the deployment's database, straight from the catalogue. */
async function tables(): Promise<string[]> {
  const rows = await query<{ name: string }>(
    deployment.databaseUrl,
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

/** The worker's "job done" log lines (it runs at LOG_LEVEL=info): when each job was recorded. */
function jobsDone(): Array<{ time: number; taskId: string; phase: string }> {
  return Buffer.concat(worker.output)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; time: number; taskId: string; phase: string })
    .filter((entry) => entry.msg === 'job done');
}

/**
 * Follows a task on API 2 with long polling (`?wait=30` with the last ETag) until it reaches one of
 * `statuses`, recording every answer.
 */
async function follow(taskId: string, statuses: string[], timeoutMs = 60_000) {
  const headers = { 'x-api-key': account.apiKey };
  const deadline = Date.now() + timeoutMs;
  let etag: string | undefined;
  for (;;) {
    const sentAt = Date.now();
    const reply = await call(api2.url, 'GET', `/api/v1/status/${taskId}${etag ? '?wait=30' : ''}`, {
      headers: etag ? { ...headers, 'if-none-match': etag } : headers,
    });
    polls.push({
      taskId,
      sentAt,
      receivedAt: Date.now(),
      status: reply.status,
      body: reply.status === 200 ? reply.body : undefined,
    });
    if (reply.status !== 304) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      etag = reply.headers.get('etag') ?? undefined;
      if (statuses.includes(reply.body.status)) return reply.body;
      if (['failed', 'completed'].includes(reply.body.status)) {
        throw new Error(`task ${reply.body.status}, expected ${statuses.join(' or ')}`);
      }
    }
    if (Date.now() > deadline) throw new Error(`task not ${statuses.join(' or ')} after ${timeoutMs} ms`);
  }
}

/** Downloads files through their links (status, size and rows checked); returns the local copies. */
function download(files: Parameters<typeof downloadFiles>[0]) {
  return downloadFiles(files, downloads);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  // At info, the worker logs when each job is recorded: the moment a waiting reader should hear of it.
  deployment = await startDeployment({ apis: 2, workers: 1, workerEnv: { LOG_LEVEL: 'info' } });
  [api1, api2] = deployment.apis as [ServerProcess, ServerProcess];
  [worker] = deployment.workers as [ServerProcess];
  tree = deployment.intentTree;
  prefixes = await intentPrefixes(tree);
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-scaled-downloads-'));
});

afterAll(async () => {
  await deployment?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe('scaled out: migrate, 2 serve and 1 worker on PostgreSQL and Redis', () => {
  let exportTask: string;
  let countFirstTask: string;

  it('migrate creates the store in the shared database and exits 0', async () => {
    expect(deployment.migrated.code, deployment.migrated.output).toBe(0);
    const created = await tables();
    expect(created.length).toBeGreaterThan(0);
    expect(created).toContain('tasks');
  });

  it('an account signed up through API 1 logs in through API 2, with its key and clients', async () => {
    account = await signUp(api1.url, 'Scaled Org');
    const login = await call(api2.url, 'POST', '/auth/v1/login', {
      body: { email: account.email, password: account.password },
    });
    expect(login.status).toBe(200);
    const clients = await call(api2.url, 'GET', '/client/v1', {
      headers: { authorization: `Bearer ${login.body.token}` },
    });
    expect(clients.status).toBe(200);
    expect(clients.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual([account.clientId]);
    // A token issued by API 1 holds on API 2 (one JWT_SECRET), and the API key made on API 1 too.
    const withApi1Token = await call(api2.url, 'GET', '/client/v1', {
      headers: { authorization: `Bearer ${account.token}` },
    });
    expect(withApi1Token.status).toBe(200);
    expect((await apiClient(api2.url, account.apiKey).get('/api/v1/status')).status).toBe(200);
    const wrong = await call(api2.url, 'POST', '/auth/v1/login', {
      body: { email: account.email, password: `${account.password}-not` },
    });
    expect(wrong.status).toBe(401);
  });

  it('an export created on API 1 is followed on API 2 until completed; counts and files match DuckDB', async () => {
    const [prefixA] = prefixes as [string];
    const where = "country IN ('US', 'DE', 'GB') AND intent_score % 3 <> 0";
    const created = await apiClient(api1.url, account.apiKey).post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: [prefixA],
      scores: ['low', 'medium', 'high'],
      where_expr: where,
      select: 'person_id, hem_sha256, intent_score, score',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    exportTask = created.body.task_id;

    const task = await follow(exportTask, ['completed']);
    const segment = `day = DATE '2024-05-01' AND prefix = '${prefixA}' AND ${where}`;
    const expected = await expectedIntentCounts(tree, segment);
    expect(Object.keys(expected)).toHaveLength(3);
    expect(task.counts).toEqual(expected);
    expect(task.total_count).toBe(sum(Object.values(expected)));
    expect(task.completed_jobs).toBe(task.total_jobs);
    expect(task.failed_jobs).toBe(0);

    // API 2 hands out its own links; the files the worker wrote are served from the shared folder.
    expect(task.files.length).toBeGreaterThan(0);
    for (const file of task.files) expect(file.url.startsWith(`${api2.url}/`)).toBe(true);
    expect(sum(task.files.map((f: { rows: number }) => f.rows))).toBe(task.total_count);
    const copies = await download(task.files);
    const got = (
      await duck(
        `SELECT * FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}], hive_partitioning = false) ORDER BY ALL`,
      )
    ).map(json);
    const want = (
      await duck(
        `SELECT person_id, hem_sha256, intent_score, score
         FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})
         WHERE ${segment} ORDER BY ALL`,
      )
    ).map(json);
    expect(got).toHaveLength(task.total_count);
    expect(got).toEqual(want);
  });

  it('a count-first task created on API 2 is counted, unloaded through API 1, and completes', async () => {
    const chosen = prefixes.slice(0, 2);
    const api1Client = apiClient(api1.url, account.apiKey);
    const api2Client = apiClient(api2.url, account.apiKey);
    const created = await api2Client.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-02'],
      topic_id_prefixes: chosen,
      scores: ['high'],
      where_expr: 'intent_score >= 70',
      perform_unload: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.status).toBe('in_progress');
    countFirstTask = created.body.task_id;

    const counted = await follow(countFirstTask, ['counted']);
    const segment = `day = DATE '2024-05-02' AND prefix IN (${chosen.map((p) => `'${p}'`).join(', ')}) AND score = 'high' AND intent_score >= 70`;
    const expected = await expectedIntentCounts(tree, segment);
    expect(Object.keys(expected)).toHaveLength(2);
    expect(counted.counts).toEqual(expected);
    expect(counted.files).toEqual([]);

    // A reader on API 2 already waits on the counted state when API 1 starts the export.
    const etag = (await api2Client.get(`/api/v1/status/${countFirstTask}`)).headers.get('etag')!;
    const waiting = call(api2.url, 'GET', `/api/v1/status/${countFirstTask}?wait=30`, {
      headers: { 'x-api-key': account.apiKey, 'if-none-match': etag },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const unload = await api1Client.post(`/api/v1/tasks/${countFirstTask}/unload`);
    const unloadAnswered = Date.now();
    expect(unload.status, JSON.stringify(unload.body)).toBe(202);
    const woken = await waiting;
    const wokenAt = Date.now();
    expect(woken.status).toBe(200);
    expect(['unloading', 'completed']).toContain(woken.body.status);
    expect(wokenAt - unloadAnswered).toBeLessThan(WAKE_LIMIT_MS);
    // Only one process may start it: API 2 refuses a second unload.
    const again = await api2Client.post(`/api/v1/tasks/${countFirstTask}/unload`);
    expect(again.status).toBe(409);

    const done = await follow(countFirstTask, ['completed']);
    expect(done.total_count).toBe(sum(Object.values(expected)));
    const rowsPerPartition: Record<string, number> = {};
    for (const file of done.files) {
      rowsPerPartition[file.partition] = (rowsPerPartition[file.partition] ?? 0) + file.rows;
    }
    expect(rowsPerPartition).toEqual(expected);
    const copies = await download(done.files);
    const [read] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet([${copies.map((c) => `'${c}'`).join(', ')}])`,
    );
    expect(Number(read!.n)).toBe(done.total_count);
  });

  it('the task list on API 2 shows both tasks', async () => {
    const list = await apiClient(api2.url, account.apiKey).get('/api/v1/status');
    expect(list.status).toBe(200);
    const tasks = list.body.tasks as Array<{ task_id: string; status: string }>;
    expect(tasks.map((task) => task.task_id)).toEqual([countFirstTask, exportTask]);
    expect(tasks.map((task) => task.status)).toEqual(['completed', 'completed']);
    // The same list through API 1.
    const other = await apiClient(api1.url, account.apiKey).get('/api/v1/status');
    expect(other.body.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([
      countFirstTask,
      exportTask,
    ]);
  });

  it('a reader waiting on API 2 hears of a job the worker finished at once, not at the 2 s re-check', () => {
    const done = jobsDone().filter((job) => job.taskId === exportTask || job.taskId === countFirstTask);
    // One export job at least, one count and one export of the count-first task.
    expect(done.filter((job) => job.taskId === countFirstTask).map((job) => job.phase)).toContain('count');
    expect(done.filter((job) => job.phase === 'unload').length).toBeGreaterThanOrEqual(2);
    // Each wait that was already under way when a job of its task was recorded, and that this job
    // ended: the time from the record to the answer.
    const latencies: number[] = [];
    for (const poll of polls) {
      if (poll.status !== 200) continue;
      const ended = done
        .filter((job) => job.taskId === poll.taskId && job.time > poll.sentAt && job.time <= poll.receivedAt)
        .sort((a, b) => a.time - b.time)[0];
      if (ended) latencies.push(poll.receivedAt - ended.time);
    }
    console.info(`scaled-out wake-ups after a job was recorded (ms): ${latencies.join(', ')}`);
    expect(latencies.length).toBeGreaterThan(0);
    for (const latency of latencies) expect(latency).toBeLessThan(WAKE_LIMIT_MS);
    // Never a 304 on the way: each wait ended with a change, not with its deadline.
    expect(polls.filter((poll) => poll.status === 304)).toEqual([]);
    // Every task reached its end through a long poll that was waiting for it.
    for (const taskId of [exportTask, countFirstTask]) {
      const last = polls.filter((poll) => poll.taskId === taskId).at(-1)!;
      expect(last.status).toBe(200);
      expect(last.body?.status).toBe('completed');
    }
  });

  it("the worker's /metrics counts the jobs it ran, by phase and outcome", async () => {
    const response = await fetch(`${worker.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const samples = parseScrape(await response.text());
    const done = jobsDone();
    const unloads = done.filter((job) => job.phase === 'unload').length;
    const counts = done.filter((job) => job.phase === 'count').length;
    expect(unloads).toBeGreaterThanOrEqual(2);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'done' })).toBe(unloads);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'count', outcome: 'done' })).toBe(counts);
    expect(sampleSum(samples, 'audiences_jobs_total', { outcome: 'failed' })).toBe(0);
    // The APIs ran no job: the worker ran them all.
    for (const api of [api1, api2]) {
      const scrape = parseScrape(await (await fetch(`${api.url}/metrics`)).text());
      expect(sampleSum(scrape, 'audiences_jobs_total')).toBe(0);
    }
  });
});
