import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../support/duck.ts';
import { parseScrape, type Sample, sampleSum, sampleValue } from '../support/prometheus.ts';

const STATUS_ROUTE = '/api/v1/status/:task_id';
const COUNT_DAY = '2024-05-01';
const EXPORT_DAY = '2024-05-02';
const WHERE = 'intent_score >= 50';

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefix: string;
/** Requests this test made to the status route, by status code. */
const statusCalls = new Map<number, number>();
let exported: { task_id: string; total_jobs: number; status: string };
let counted: { task_id: string; total_count: number; total_jobs: number; status: string };
const MISSING_TASK = '0f5e8a2c-aaaa-4bbb-8ccc-123456789abc';
const UNKNOWN_PATH = '/no-such-route/secret-7f3a9c';
let scrapeText: string;
let samples: Sample[];
let scrapeType: string | null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(taskId: string) {
  const reply = await api.get(`/api/v1/status/${taskId}`);
  statusCalls.set(reply.status, (statusCalls.get(reply.status) ?? 0) + 1);
  return reply;
}

/** Polls the status route (every call counted) until the task is in one of `statuses`. */
async function settle(taskId: string, statuses: string[]) {
  for (;;) {
    const reply = await status(taskId);
    if (reply.status !== 200) throw new Error(`status ${reply.status}`);
    if (statuses.includes(reply.body.status)) return reply.body;
    if (reply.body.status === 'failed') throw new Error(JSON.stringify(reply.body.error));
    await sleep(50);
  }
}

/** Parquet files under a folder, recursively. */
function parquetFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.parquet'))
    .map((name) => path.join(dir, name));
}

const totalSize = (files: string[]) => files.reduce((sum, file) => sum + fs.statSync(file).size, 0);

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];

  const exportId = await api.createIntentTask({
    days: [EXPORT_DAY],
    topic_id_prefixes: [prefix],
    scores: ['low', 'medium', 'high'],
  });
  const countId = await api.createIntentTask({
    days: [COUNT_DAY],
    topic_id_prefixes: [prefix],
    scores: ['low', 'medium', 'high'],
    where_expr: WHERE,
    perform_unload: false,
  });
  exported = await settle(exportId, ['completed']);
  counted = await settle(countId, ['counted']);
  expect((await status(MISSING_TASK)).status).toBe(404);
  expect((await status(MISSING_TASK)).status).toBe(404);
  for (let i = 0; i < 3; i++) expect((await call(t.url, 'GET', '/healthz')).status).toBe(200);
  expect((await call(t.url, 'GET', UNKNOWN_PATH)).status).toBe(404);

  const scrape = await fetch(`${t.url}/metrics`);
  expect(scrape.status).toBe(200);
  scrapeType = scrape.headers.get('content-type');
  scrapeText = await scrape.text();
  samples = parseScrape(scrapeText);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /metrics (embedded: API and worker in one registry)', () => {
  it('answers in Prometheus text format without authentication', () => {
    expect(scrapeType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });

  it('counts requests by route pattern and status, with their latencies', () => {
    const ok = { method: 'GET', route: STATUS_ROUTE, status: '200' };
    const missing = { method: 'GET', route: STATUS_ROUTE, status: '404' };
    expect(statusCalls.get(200)).toBeGreaterThan(1);
    expect(sampleSum(samples, 'audiences_http_requests_total', ok)).toBe(statusCalls.get(200));
    expect(sampleSum(samples, 'audiences_http_requests_total', missing)).toBe(2);
    expect(sampleSum(samples, 'audiences_http_requests_total', { route: STATUS_ROUTE })).toBe(
      [...statusCalls.values()].reduce((a, b) => a + b, 0),
    );
    expect(sampleSum(samples, 'audiences_http_request_duration_seconds_count', ok)).toBe(
      statusCalls.get(200),
    );
    expect(sampleSum(samples, 'audiences_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(
      statusCalls.get(200),
    );
    expect(sampleSum(samples, 'audiences_http_requests_total', { route: '/healthz', status: '200' })).toBe(3);
    expect(
      sampleSum(samples, 'audiences_http_requests_total', {
        method: 'POST',
        route: '/api/v1/intent_hive_tasks',
        status: '202',
      }),
    ).toBe(2);
    // The unknown route is one label value, not its URL.
    expect(sampleSum(samples, 'audiences_http_requests_total', { route: 'unmatched', status: '404' })).toBe(
      1,
    );
  });

  it('names no task, organisation, key, token or URL', () => {
    const secrets = [
      exported.task_id,
      counted.task_id,
      MISSING_TASK,
      account.apiKey,
      account.token,
      account.organizationId,
      account.clientId,
      account.email,
      'secret-7f3a9c',
    ];
    for (const secret of secrets) expect(scrapeText).not.toContain(secret);
    const routes = new Set(samples.map((s) => s.labels.route).filter((r) => r !== undefined));
    for (const route of routes) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    expect(routes).toContain(STATUS_ROUTE);
  });

  it('shows tasks by status, read from the store', () => {
    // Every status is shown, 0 included.
    expect(sampleValue(samples, 'audiences_tasks', { status: 'completed' })).toBe(1);
    expect(sampleValue(samples, 'audiences_tasks', { status: 'counted' })).toBe(1);
    expect(sampleValue(samples, 'audiences_tasks', { status: 'in_progress' })).toBe(0);
    expect(sampleValue(samples, 'audiences_tasks', { status: 'unloading' })).toBe(0);
    expect(sampleValue(samples, 'audiences_tasks', { status: 'failed' })).toBe(0);
  });

  it('counts the jobs each task ran, by phase and outcome', () => {
    expect(exported.total_jobs).toBeGreaterThan(1);
    // The export's jobs, then the one that wrote its manifest.
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'done' })).toBe(
      exported.total_jobs - 1,
    );
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'manifest', outcome: 'done' })).toBe(1);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'count', outcome: 'done' })).toBe(
      counted.total_jobs,
    );
    // Every run was done: no sample has another outcome.
    const outcomes = samples.filter((s) => s.name === 'audiences_jobs_total').map((s) => s.labels.outcome);
    expect(new Set(outcomes)).toEqual(new Set(['done']));
    expect(sampleSum(samples, 'audiences_job_duration_seconds_count', { phase: 'unload' })).toBe(
      exported.total_jobs - 1,
    );
  });

  it('records where each finished job spent its time, by phase and step', () => {
    const steps = (phase: string, step: string) =>
      sampleSum(samples, 'audiences_job_step_seconds_count', { phase, step });
    // This export takes whole files (no filter, no columns): every export job waited, was claimed,
    // staged its inputs, copied them and recorded the outcome; no DuckDB write, no hashing of its own.
    for (const step of ['queued', 'claim', 'inputs', 'copy', 'store', 'total']) {
      expect(steps('unload', step), step).toBe(exported.total_jobs - 1);
    }
    for (const step of ['write', 'hash', 'publish']) expect(steps('unload', step), step).toBe(0);
    // The filtered count's jobs staged their inputs and counted with DuckDB.
    for (const step of ['queued', 'claim', 'inputs', 'count', 'store', 'total']) {
      expect(steps('count', step), step).toBe(counted.total_jobs);
    }
    expect(steps('manifest', 'total')).toBe(1);
    // The steps of a run add up to no more than the run (claimed to settled) took.
    const sum = (step: string) =>
      sampleSum(samples, 'audiences_job_step_seconds_sum', { phase: 'unload', step });
    const laps = ['inputs', 'copy', 'store'].reduce((s, step) => s + sum(step), 0);
    expect(laps).toBeLessThanOrEqual(sum('total') + 0.01);
    expect(sum('total')).toBeLessThanOrEqual(
      sampleSum(samples, 'audiences_job_duration_seconds_sum', { phase: 'unload' }) + 0.01,
    );
  });

  it('counts the rows and bytes written as the exported files hold them', async () => {
    const files = parquetFiles(path.join(t.dataDir, 'exports', account.organizationId, exported.task_id));
    expect(files.length).toBeGreaterThan(0);
    const list = files.map((file) => `'${file}'`).join(', ');
    const [{ n }] = (await duck<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet([${list}])`)) as [
      { n: bigint },
    ];
    expect(Number(n)).toBeGreaterThan(0);
    expect(sampleSum(samples, 'audiences_rows_written_total')).toBe(Number(n));
    expect(sampleSum(samples, 'audiences_bytes_written_total')).toBe(totalSize(files));
    // An un-filtered export selects every row it reads.
    expect(sampleSum(samples, 'audiences_rows_read_total', { phase: 'unload' })).toBe(Number(n));
  });

  it('counts the rows a count selected and the input bytes the jobs read', async () => {
    const expected = Object.entries(await expectedIntentCounts(t.intentTree, WHERE))
      .filter(([partition]) => partition.startsWith(`day=${COUNT_DAY}/prefix=${prefix}/`))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(expected).toBeGreaterThan(0);
    expect(counted.total_count).toBe(expected);
    expect(sampleSum(samples, 'audiences_rows_read_total', { phase: 'count' })).toBe(expected);
    const inputs = (day: string) => parquetFiles(path.join(t.intentTree, `day=${day}`, `prefix=${prefix}`));
    expect(sampleSum(samples, 'audiences_bytes_read_total', { phase: 'count' })).toBe(
      totalSize(inputs(COUNT_DAY)),
    );
    expect(sampleSum(samples, 'audiences_bytes_read_total', { phase: 'unload' })).toBe(
      totalSize(inputs(EXPORT_DAY)),
    );
  });

  it('shows the queue depth: nothing waits once every task has settled', () => {
    expect(samples.filter((s) => s.name === 'audiences_queue_depth').map((s) => s.value)).toEqual([0]);
  });

  it('defines the lease counters at 0 (the reconciler and the job runner increment them)', () => {
    expect(samples.find((s) => s.name === 'audiences_leases_expired_total')?.value).toBe(0);
    expect(samples.find((s) => s.name === 'audiences_leases_recovered_total')?.value).toBe(0);
  });

  it('counts its own scrapes and is in the OpenAPI document as Prometheus text', async () => {
    const again = parseScrape(await (await fetch(`${t.url}/metrics`)).text());
    expect(sampleSum(again, 'audiences_http_requests_total', { route: '/metrics', status: '200' })).toBe(1);
    const openapi = await call(t.url, 'GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });
});

describe('GET /metrics under a rate limit', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('is never rate limited, and counts the 429s of the routes that are', async () => {
    // Registering and logging in spend the address's 2 requests; the key has 2 of its own.
    const limitedApi = apiClient(limited.url, (await signUp(limited.url)).apiKey);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await limitedApi.get(`/api/v1/status/${MISSING_TASK}`)).status);
    expect(statuses).toEqual([404, 404, 429]);
    for (let i = 0; i < 4; i++) expect((await fetch(`${limited.url}/metrics`)).status).toBe(200);
    const scraped = parseScrape(await (await fetch(`${limited.url}/metrics`)).text());
    expect(sampleSum(scraped, 'audiences_http_requests_total', { route: STATUS_ROUTE, status: '429' })).toBe(
      1,
    );
    expect(sampleSum(scraped, 'audiences_http_requests_total', { route: '/metrics' })).toBe(4);
  });
});

describe('GET /metrics after a job failed', () => {
  let failing: TestServer;
  beforeAll(async () => {
    failing = await startTestServer();
  });
  afterAll(async () => {
    await failing?.close();
  });

  it('counts the run as failed, with its duration and without rows', async () => {
    const root = path.join(failing.dataDir, 'broken');
    fs.mkdirSync(root);
    await duck(`COPY (SELECT range AS id FROM range(100)) TO '${root}/a.parquet'`);
    fs.writeFileSync(path.join(root, 'b.parquet'), 'this is not a Parquet file');
    const failingApi = apiClient(failing.url, (await signUp(failing.url)).apiKey);
    const created = await failingApi.post('/api/v1/generic_parquet_tasks', {
      input_path: root,
      where_expr: 'id >= 0',
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const task = await failingApi.waitFor(created.body.task_id, ['failed']);
    expect(task.error.code).toBe('input_unreadable');

    const text = await (await fetch(`${failing.url}/metrics`)).text();
    const scraped = parseScrape(text);
    // The one run is the failed count: no other phase or outcome has a sample.
    expect(scraped.filter((s) => s.name === 'audiences_jobs_total')).toEqual([
      { name: 'audiences_jobs_total', labels: { phase: 'count', outcome: 'failed' }, value: 1 },
    ]);
    expect(sampleValue(scraped, 'audiences_job_duration_seconds_count', { phase: 'count' })).toBe(1);
    // A failed run records no rows: the counter is there, with no phase that read any.
    expect(text).toContain('# TYPE audiences_rows_read_total counter');
    expect(scraped.filter((s) => s.name === 'audiences_rows_read_total')).toEqual([]);
    expect(sampleValue(scraped, 'audiences_rows_written_total')).toBe(0);
    expect(sampleValue(scraped, 'audiences_tasks', { status: 'failed' })).toBe(1);
  });
});
