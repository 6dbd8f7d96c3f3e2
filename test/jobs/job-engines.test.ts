import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobEngine, JobEngines } from '../../src/jobs/job-engines.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { intentPlan } from '../support/store-records.ts';

let root: string;
let storage: LocalStorage;
let engines: JobEngines;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-job-engines-'));
  storage = new LocalStorage(path.join(root, 'scratch'));
  // No instance kept warm: each open starts one, so it takes a while, as a busy worker's does.
  engines = new JobEngines({ storage, engine: { memoryLimit: '64MB', threads: 2, timeoutMs: 10_000 } });
});
afterEach(async () => {
  await engines.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 250));

describe('a job run again while its previous run is being retired', () => {
  it("keeps the new run's scratch folder, and removes it once that run is retired", async () => {
    const plan = intentPlan(path.join(root, 'input'));
    // The earlier run's instance closes 100 ms after its retire, and its folder goes then: the new
    // run opens at different moments of that window, so the close lands while it is still opening.
    for (const delayMs of [60, 75, 85, 90, 95]) {
      const jobId = `job-${delayMs}`;
      const scratch = path.join(storage.scratchDir(), jobId);
      const earlier = engines.open(jobId, plan);
      await earlier;
      await engines.retire(earlier);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const again = engines.open(jobId, plan);
      const opened = await again;
      expect(opened.scratch).toBe(scratch);
      await settle();
      // The new run can still write where its DuckDB is allowed to.
      expect(fs.existsSync(path.join(scratch, 'tmp')), `retired ${delayMs} ms before the new run`).toBe(true);
      await opened.sandbox.query(`COPY (SELECT 1 AS one) TO '${path.join(scratch, 'one.parquet')}'`);
      expect(fs.existsSync(path.join(scratch, 'one.parquet'))).toBe(true);
      await engines.retire(again);
      await settle();
      expect(fs.existsSync(scratch)).toBe(false);
    }
    // Nothing is left beside the folders either (a folder moved aside is removed too).
    expect(fs.readdirSync(storage.scratchDir())).toEqual(['.removing']);
    expect(fs.readdirSync(path.join(storage.scratchDir(), '.removing'))).toEqual([]);
  });
});

describe('the threads of the jobs that run at once', () => {
  const threadsOf = async (engine: Promise<JobEngine>) =>
    Number((await (await engine).sandbox.query("SELECT current_setting('threads') AS n"))[0]!.n);

  it('gives a job alone every thread, and shares them out when jobs of a split task run side by side', async () => {
    const plan = intentPlan(path.join(root, 'input'));
    const alone = engines.open('alone', plan);
    expect(await threadsOf(alone)).toBe(2);
    await engines.retire(alone);

    // A job that split itself in two: it waits to be told, then takes half the cores, and so does
    // the job split off, which opens while the first one runs.
    let told: (jobs: number) => void = () => {};
    const first = engines.open('first', plan, new Promise<number>((resolve) => (told = resolve)));
    const second = engines.open('second', plan);
    told(2);
    expect(await threadsOf(first)).toBe(1);
    expect(await threadsOf(second)).toBe(1);
    await engines.retire(first);
    await engines.retire(second);

    // Once they are done, the next job has every thread again.
    const next = engines.open('next', plan);
    expect(await threadsOf(next)).toBe(2);
    await engines.retire(next);
  });

  it('keeps every thread for a split job when its lane has one slot: the others wait, they do not run beside it', async () => {
    const oneSlot = new JobEngines({
      storage,
      engine: { memoryLimit: '64MB', threads: 2, timeoutMs: 10_000 },
      slots: 1,
    });
    try {
      const plan = intentPlan(path.join(root, 'input'));
      const first = oneSlot.open('split-in-three', plan, Promise.resolve(3));
      expect(await threadsOf(first)).toBe(2);
      await oneSlot.retire(first);
    } finally {
      await oneSlot.close();
    }
  });
});
