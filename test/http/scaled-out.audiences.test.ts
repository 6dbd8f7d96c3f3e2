import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp } from '../support/api.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

/**
 * A schedule every 2 s on a scaled-out deployment (2 `serve`, 2 `worker` on PostgreSQL and Redis):
 * both workers' schedulers claim the same slots; one worker is killed mid-way. Every slot from the
 * first to the last is accounted for exactly once: a run, a skipped slot, or a missed slot a
 * catch-up run names; and every delta is exact.
 */
let deployment: Deployment;
let snapshots: string;

beforeAll(async () => {
  snapshots = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-snapshots-'));
  deployment = await startDeployment({
    apis: 2,
    workers: 2,
    env: { SCHEDULE_MIN_INTERVAL: '1s', SNAPSHOT_PATH: snapshots },
  });
}, 120_000);
afterAll(async () => {
  await deployment?.close();
  fs.rmSync(snapshots, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: runs are read as loose JSON
type Run = any;

describe('a schedule every 2 s across processes', () => {
  it('runs each slot once while a worker is killed, and every delta is exact', async () => {
    const api = apiClient(deployment.url, (await signUp(deployment.url)).apiKey);
    const other = apiClient(deployment.apis[1]!.url, (await signUp(deployment.url)).apiKey);
    const [prefix] = await intentPrefixes(deployment.intentTree);
    const created = await api.post('/api/v1/audiences', {
      name: 'every two seconds',
      kind: 'intent',
      definition: {
        topic_id_prefixes: [prefix],
        scores: ['high'],
        days: ['2024-05-01'],
        unique_by: 'person_id',
        output: 'people',
      },
      schedule: { every: '2s' },
      delivery: { mode: 'delta' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.audience_id;
    const anchor = Date.parse(created.body.created_at);
    expect(Date.parse(created.body.next_run_at)).toBe(anchor + 2_000);
    // Another organisation cannot see it on the other API.
    expect((await other.get(`/api/v1/audiences/${id}`)).status).toBe(404);

    const runsNow = async (): Promise<Run[]> =>
      (await api.get(`/api/v1/audiences/${id}/runs?limit=100`)).body.runs;
    const until = async (done: (runs: Run[]) => boolean, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const runs = await runsNow();
        if (done(runs)) return runs;
        if (Date.now() > deadline) throw new Error(`runs: ${JSON.stringify(runs)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const completed = (runs: Run[]) => runs.filter((run) => run.status === 'completed').length;

    await until((runs) => completed(runs) >= 2);
    const code = await deployment.workers[0]!.stop('SIGKILL');
    expect(code).toBeNull();
    const killedAt = Date.now();
    // The other worker goes on alone (a job the killed one held waits for its lease: slots skipped meanwhile).
    const runs = await until(
      (found) =>
        found.filter((run) => run.status === 'completed' && Date.parse(run.started_at) > killedAt).length >=
        2,
    );

    // Every slot between the first and the last is there exactly once, or named as missed.
    const slots = runs.map((run) => Date.parse(run.scheduled_for)).sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots[0]).toBe(anchor + 2_000);
    const bySlot = new Map(runs.map((run) => [Date.parse(run.scheduled_for), run]));
    for (let i = 1; i < slots.length; i += 1) {
      const gap = (slots[i]! - slots[i - 1]!) / 2_000;
      expect(Number.isInteger(gap)).toBe(true);
      expect(bySlot.get(slots[i]!).missed_slots).toBe(gap - 1);
    }

    // The data does not change: the first completed run adds everyone, every later one adds and removes nobody.
    const [{ n }] = (await duck<{ n: bigint }>(
      `SELECT count(DISTINCT person_id) AS n FROM read_parquet('${deployment.intentTree}/**/*.parquet', hive_partitioning = true)
       WHERE CAST(day AS VARCHAR) = '2024-05-01' AND prefix = '${prefix}' AND score = 'high'`,
    )) as [{ n: bigint }];
    const done = runs.filter((run) => run.status === 'completed').reverse();
    expect(done[0]).toMatchObject({
      baseline: 'new',
      added: Number(n),
      removed: 0,
      kept: 0,
      people: Number(n),
    });
    for (const run of done.slice(1)) {
      expect(run).toMatchObject({
        baseline: 'previous',
        added: 0,
        removed: 0,
        kept: Number(n),
        people: Number(n),
      });
    }
  }, 180_000);
});
