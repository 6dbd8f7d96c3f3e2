import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChaosResult, runChaos } from '../../bench/chaos/chaos.ts';
import { RECOVERY_BOUND_CHECK } from '../../bench/chaos/recovery.ts';
import { renderReliability } from '../../bench/chaos/report.ts';
import { describeMachine } from '../../bench/machine.ts';

/**
 * The short version of `npm run chaos` (bench/chaos/), the same code: 2 `serve` and 3 `worker`
 * processes on a fresh PostgreSQL database and a private Redis, 24 tasks from 3 organisations,
 * 6 `kill -9`s at least 4 s apart (the first of a worker holding a job, the second of an API), one
 * FLUSHALL and one Redis restart (stopped 10 s, back empty; the cheapest of the full run's other
 * fault kinds: no server, upload or mount of its own), then every end check of the full run. A
 * killed worker's jobs run again within seconds: it is taken for dead after 4 s without a beat,
 * its leases end at once.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
let runDir: string;
let result: ChaosResult;
const progress: string[] = [];

/** The tally of one named check. */
function tally(name: string) {
  return result.checks[name] ?? { passed: 0, failed: 0 };
}

beforeAll(async () => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-chaos-'));
  result = await runChaos({
    tree: inject('intentTree'),
    runDir,
    keep: false,
    tasks: 24,
    kills: 6,
    organisations: 3,
    apis: 2,
    workers: 3,
    workloadMs: 20_000,
    drainTimeoutMs: 180_000,
    seed: 7,
    flushWaitMs: 10_000,
    // At most two processes die within any 8 s (the silence before a worker is taken for dead, and
    // the steady beats a new process needs before it judges): some process can always judge. Bursts
    // that leave none are the full run's to show.
    killGapMs: 4_000,
    faults: { redis_restart: 1 },
    log: (message) => progress.push(message),
  });
}, 300_000);

afterAll(() => {
  // The processes' logs stay when something failed, for the failure's evidence.
  if (result && result.failures.length === 0) fs.rmSync(runDir, { recursive: true, force: true });
  else if (runDir) console.error(`chaos logs kept in ${runDir}/logs\n${progress.join('\n')}`);
});

describe('chaos (short): 2 serve + 3 workers under kill -9, a FLUSHALL and a Redis restart', () => {
  it('killed a worker mid-job and an API, each restarted, and flushed Redis once', () => {
    expect(result.kills).toHaveLength(6);
    expect(result.kills.some((kill) => kill.role === 'worker' && kill.heldJobs > 0)).toBe(true);
    expect(result.kills.some((kill) => kill.role === 'serve')).toBe(true);
    expect(result.restarts).toHaveLength(6);
    expect(result.flush).toBeDefined();
    expect(tally('no process exited on its own').failed).toBe(0);
    expect(tally('every process is up at the end').failed).toBe(0);
  });

  it('restarted Redis once, and the service was healthy again: a probe task counted exactly', () => {
    expect(result.faults.faults.map((fault) => fault.kind)).toEqual(['redis_restart']);
    expect(result.faults.faults[0]!.recoveryMs).not.toBeNull();
    expect(tally('the service was healthy again after every fault (its probe task counted)')).toEqual({
      passed: 1,
      failed: 0,
    });
    expect(tally('every probe task counted exactly (an independent DuckDB count)')).toEqual({
      passed: 1,
      failed: 0,
    });
  });

  it('every task ends counted or completed, with counts equal to an independent DuckDB count', () => {
    expect(result.tasks.length).toBeGreaterThanOrEqual(24);
    for (const task of result.tasks) expect(['counted', 'completed']).toContain(task.status);
    expect(tally('ends counted or completed, no job failed')).toEqual({
      passed: result.tasks.length,
      failed: 0,
    });
    expect(tally('counts equal an independent DuckDB count').failed).toBe(0);
    expect(tally('counts equal an independent DuckDB count').passed).toBeGreaterThan(0);
    expect(result.verification!.rowsCounted).toBeGreaterThan(0);
  });

  it("every export holds exactly its segment's rows, and no file is left that no task lists", () => {
    for (const name of [
      "exported rows equal the segment's rows (multisets per partition)",
      "each file is in its task's folder, with the detail's size and rows",
      'rows of the files per partition equal the counts',
      'a download link serves the file',
    ]) {
      expect(tally(name).failed, name).toBe(0);
      expect(tally(name).passed, name).toBeGreaterThan(0);
    }
    expect(result.verification!.strayFiles).toEqual([]);
    expect(result.verification!.scratchLeftovers).toEqual([]);
  });

  it('every job a killed worker held, and every job the FLUSHALL lost, ran again', () => {
    expect(result.workerRecoveries.length).toBeGreaterThan(0);
    for (const recovery of result.workerRecoveries) expect(recovery.recoveryMs).not.toBeNull();
    expect(result.flush!.unrecovered).toBe(0);
    expect(tally('every job a killed worker held ran again').failed).toBe(0);
    // Within 10 s of the kill: taken for dead after 4 s of silence, redelivered at the front of the queue.
    // Kills during the Redis restart wait for it, and so do kills that left no worker up: the bound
    // is held to the others.
    const bounded = result.workerRecoveries.filter(
      (recovery) => !recovery.duringOutage && !recovery.inBurst,
    ).length;
    expect(tally(RECOVERY_BOUND_CHECK)).toEqual({ passed: bounded, failed: 0 });
  });

  it('scheduled delta audiences ran each slot at most once, lost none, and every delta is exact', () => {
    const a = result.audiences;
    expect(a.audiences).toBe(3);
    expect(a.completed).toBeGreaterThan(3);
    expect(a.deltasChecked).toBe(a.completed);
    for (const name of [
      'each scheduled slot ran at most once',
      'no scheduled slot was lost',
      'every audience run completed',
      'every audience delta equals the set differences of an independent DuckDB',
      "a baseline run's added files hold exactly the audience's people",
    ]) {
      expect(tally(name).failed, name).toBe(0);
      expect(tally(name).passed, name).toBeGreaterThan(0);
    }
  });

  it("no check failed, a killed worker's jobs running again within 45 s included", () => {
    expect(result.failures, JSON.stringify(result.failures, null, 2)).toEqual([]);
  });

  it('the report states every figure', async () => {
    const report = renderReliability(result, {
      command: 'npm test (test/http/chaos.test.ts)',
      machine: await describeMachine(root),
      tree: { rows: result.tree.rows, files: 36, bytes: 0, seed: 7 },
      load: undefined,
      postgres: 'PostgreSQL',
      redis: 'Redis',
    });
    for (const heading of [
      '## How it was run',
      '## Kills and restarts',
      '## Recovery after a worker kill',
      '## FLUSHALL',
      '## Faults',
      '## Tasks',
      '## Scheduled audiences',
      '## Checks',
      '## Failures',
    ]) {
      expect(report).toContain(`${heading}\n`);
    }
    expect(report).toMatch(/\*\*Every check passed\*\*|\*\*\d+ of \d+ checks failed\*\*/);
    expect(report).not.toMatch(/NaN|undefined/);
  });
});
