import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { query } from '../../harness/postgres.ts';
import type { ServerProcess } from '../../harness/server-process.ts';
import { type Account, apiClient, signUp } from '../support/api.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { largeTree } from '../support/large-tree.ts';

/**
 * Long jobs scaled out: one `audiences serve` and two `audiences worker` on PostgreSQL and Redis, over
 * an intent tree whose export jobs take seconds.
 *
 * A cancel: the API process takes it; the workers, other processes, hear of it through the task
 * change feed on Redis and interrupt their queries. Their lease (30 s) renews every 10 s, so a stop
 * within 2 s is the feed's doing.
 *
 * Failover in seconds: a worker paused for 2 s (SIGSTOP, then SIGCONT) keeps its job; killed with
 * SIGKILL mid-job, its job is taken over by the other worker long before the dead worker's 30 s lease
 * would have ended, and the export ends with every row of an independent DuckDB count. It runs last:
 * it leaves one worker.
 */

let deployment: Deployment;
let tree: string;
let account: Account;
let api: ReturnType<typeof apiClient>;
let everything: Record<string, string[] | string>;

beforeAll(async () => {
  tree = await largeTree();
  deployment = await startDeployment({
    apis: 1,
    workers: 2,
    // At info, every process logs the workers it takes for dead: the API process judges too.
    env: { INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree, LOG_LEVEL: 'info' },
  });
  account = await signUp(deployment.url);
  api = apiClient(deployment.url, account.apiKey);
  everything = {
    days: ['2024-05-01', '2024-05-02'],
    topic_id_prefixes: await intentPrefixes(tree),
    scores: ['low', 'medium', 'high'],
    // A codec named explicitly: the export writes its files (an export of whole files copies them).
    compression: 'snappy',
  };
});
afterAll(async () => deployment?.close());

interface RunningJob {
  id: string;
  lease_owner: string;
  lease_expires_at: string;
}

/** Scratch folders (shared by the workers: they share the output folder) of exports writing now. */
function exportsWriting(): string[] {
  const staging = path.join(deployment.dataDir, 'exports', '.staging');
  if (!fs.existsSync(staging)) return [];
  return fs
    .readdirSync(staging)
    .map((job) => path.join(staging, job))
    .filter((scratch) => fs.existsSync(path.join(scratch, 'out')));
}

/** The workers' log lines with this message. */
function logged(message: string): Array<Record<string, unknown>> {
  return [...deployment.apis, ...deployment.workers].flatMap((child) =>
    Buffer.concat(child.output)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === message),
  );
}

describe('cancelling in scaled-out mode', () => {
  it("stops the workers' queries through the change feed within 2 s, leaves no file, and runs no job of the task again", async () => {
    const id = await api.createIntentTask(everything);
    const writing = await vi.waitFor(
      () => {
        const found = exportsWriting();
        if (found.length === 0) throw new Error('no export is writing yet');
        return found;
      },
      { timeout: 60_000, interval: 20 },
    );
    const cancelled = await api.post(`/api/v1/tasks/${id}/cancel`);
    const calledAt = performance.now();
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');

    for (const scratch of writing) {
      await vi.waitFor(() => expect(fs.existsSync(scratch)).toBe(false), { timeout: 2_000, interval: 10 });
    }
    expect(performance.now() - calledAt).toBeLessThan(2_000);
    const interrupts = logged('interrupting a job: its task was cancelled');
    expect(interrupts.length).toBeGreaterThanOrEqual(writing.length);
    for (const entry of interrupts) expect(entry).toMatchObject({ taskId: id, via: 'feed' });
    await vi.waitFor(() =>
      expect(logged('job stopped: its task was cancelled')).toHaveLength(interrupts.length),
    );

    const detail = (await api.get(`/api/v1/status/${id}`)).body;
    expect(detail).toMatchObject({ status: 'cancelled', files: [], outputs: {} });
    expect(fs.existsSync(path.join(deployment.dataDir, 'exports', account.organizationId, id))).toBe(false);
    const jobs = await query<{ status: string; lease_owner: string | null }>(
      deployment.databaseUrl,
      `SELECT status, lease_owner FROM jobs WHERE task_id = '${id}'`,
    );
    for (const job of jobs) expect(job).toEqual({ status: 'cancelled', lease_owner: null });

    // The workers' slots are free: a later export completes.
    const next = await api.createIntentTask({ ...everything, days: ['2024-05-01'], scores: ['high'] });
    expect((await api.waitFor(next, ['completed'])).files.length).toBeGreaterThan(0);
    // Nothing of the cancelled task ran again meanwhile.
    expect(logged('job done').filter((entry) => entry.taskId === id)).toEqual([]);
    expect(fs.existsSync(path.join(deployment.dataDir, 'exports', account.organizationId, id))).toBe(false);
  });
});

async function runningJobs(): Promise<RunningJob[]> {
  return query<RunningJob>(
    deployment.databaseUrl,
    "SELECT id, lease_owner, lease_expires_at FROM jobs WHERE status = 'running' AND phase = 'unload' ORDER BY id",
  );
}

/** The worker process named in a lease (owners are `host:pid:random`). */
function workerOf(owner: string): ServerProcess {
  const worker = deployment.workers.find((w) => owner.split(':')[1] === String(w.pid));
  if (!worker) throw new Error(`no worker holds ${owner}`);
  return worker;
}

describe('failover in seconds', () => {
  it('keeps a paused worker its job, hands a killed worker its job within seconds, and exports every row', async () => {
    const id = await api.createIntentTask({
      days: ['2024-05-01', '2024-05-02'],
      topic_id_prefixes: await intentPrefixes(tree),
      scores: ['low', 'medium', 'high'],
      // A codec named explicitly: the export writes its files (an export of whole files copies them).
      compression: 'snappy',
    });
    const held = await vi.waitFor(
      async () => {
        const [job] = await runningJobs();
        if (!job) throw new Error('no export job is running yet');
        return job;
      },
      { timeout: 60_000, interval: 20 },
    );
    const worker = workerOf(held.lease_owner);

    // Paused for 2 s, under the 4 s of silence after which a worker is taken for dead: it keeps its job.
    process.kill(worker.pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    process.kill(worker.pid, 'SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [stillHeld] = (await runningJobs()).filter((job) => job.id === held.id);
    expect(stillHeld?.lease_owner).toBe(held.lease_owner);
    expect(logged('workers taken for dead')).toEqual([]);

    // Killed mid-job: the other worker takes the job over long before the dead one's lease ends.
    const leaseEnd = Date.parse(stillHeld!.lease_expires_at);
    expect(await worker.stop('SIGKILL')).toBeNull();
    const takenAt = await vi.waitFor(
      async () => {
        const [job] = await query<{ status: string; lease_owner: string | null }>(
          deployment.databaseUrl,
          `SELECT status, lease_owner FROM jobs WHERE id = '${held.id}'`,
        );
        if (job!.status === 'running' && job!.lease_owner === held.lease_owner)
          throw new Error('still held by the dead worker');
        return Date.now();
      },
      { timeout: 40_000, interval: 50 },
    );
    expect(takenAt).toBeLessThan(leaseEnd);
    // Taken for dead by whichever steady process looked first (the other worker or the API).
    const judged = logged('workers taken for dead').flatMap((entry) => entry.owners as string[]);
    expect(judged).toContain(held.lease_owner);

    const done = await api.waitFor(id, ['completed'], 240_000);
    const [{ n }] = (await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true)`,
    )) as [{ n: bigint }];
    expect(done.total_count).toBe(Number(n));
    const [exported] = (await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${deployment.dataDir}/exports/${account.organizationId}/${id}/**/*.parquet')`,
    )) as [{ n: bigint }];
    expect(Number(exported.n)).toBe(Number(n));
  }, 300_000);
});
