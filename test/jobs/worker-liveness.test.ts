import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerLiveness } from '../../src/jobs/worker-liveness.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { FIXTURE_CREATED, seedOrganization, taskWithJobs } from '../support/store-records.ts';

/**
 * Two workers' liveness over a real SQLite store, on a fake clock moved by hand, one beat (and
 * look) at a time: when one worker is taken for dead, and when it is not.
 */

const ORG = 'org-1';
const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const LEASE_MS = 30_000;
const A = 'host-a:100:aaaa';
const B = 'host-b:200:bbbb';

let dir: string;
let store: Store;
let now: number;
let freed: Record<string, number[]>;

function liveness(owner: string) {
  freed[owner] = [];
  return new WorkerLiveness({
    store,
    owner,
    beatMs: 1_000,
    silenceMs: 4_000,
    clock: () => new Date(now),
    onJobsFreed: (jobs) => freed[owner]!.push(jobs),
  });
}

/** Moves the clock by `ms`, then lets each given worker beat once. */
async function elapse(ms: number, ...workers: WorkerLiveness[]): Promise<number[]> {
  now += ms;
  const result: number[] = [];
  for (const worker of workers) result.push(await worker.beat());
  return result;
}

async function leaseOf(jobId: string) {
  const job = (await store.listJobs('t1')).find((j) => j.id === jobId)!;
  return { owner: job.leaseOwner, expiresAt: job.leaseExpiresAt };
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-liveness-'));
  store = await openStore({ dataDir: dir });
  now = T0;
  freed = {};
  await seedOrganization(store, { id: ORG, createdAt: FIXTURE_CREATED });
  await store.insertTask(...taskWithJobs('t1', 2));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('worker liveness', () => {
  it("frees a dead worker's job about its silence after its last beat, not a lease later", async () => {
    const a = liveness(A);
    const b = liveness(B);
    await elapse(0, a, b);
    await store.claimJob('t1-j0', { owner: B, now: new Date(now).toISOString(), leaseMs: LEASE_MS });
    // Both beat for 5 s: A is steady, nobody is silent.
    for (let i = 0; i < 5; i += 1) expect(await elapse(1_000, a, b)).toEqual([0, 0]);
    // B dies. Three beats of A later, B has been silent for 3 s: not yet.
    for (let i = 0; i < 3; i += 1) expect(await elapse(1_000, a)).toEqual([0]);
    expect(await leaseOf('t1-j0')).toEqual({ owner: B, expiresAt: new Date(T0 + LEASE_MS).toISOString() });
    // At the next beat B has been silent for 4 s: its job is freed, 26 s before its lease would end.
    expect(await elapse(1_000, a)).toEqual([1]);
    expect(freed[A]).toEqual([1]);
    expect(await leaseOf('t1-j0')).toEqual({ owner: B, expiresAt: new Date(now).toISOString() });
    expect((await store.resumableJobs(new Date(now).toISOString())).map((job) => job.id)).toContain('t1-j0');
  });

  it('keeps the jobs of a worker paused for less than the silence', async () => {
    const a = liveness(A);
    const b = liveness(B);
    await elapse(0, a, b);
    await store.claimJob('t1-j0', { owner: B, now: new Date(now).toISOString(), leaseMs: LEASE_MS });
    for (let i = 0; i < 5; i += 1) await elapse(1_000, a, b);
    // B's event loop is busy (or its machine paused) for 3.5 s: A beats and looks meanwhile.
    for (let i = 0; i < 3; i += 1) expect(await elapse(1_000, a)).toEqual([0]);
    now += 500;
    // B is back in time: it beats, and keeps its job.
    expect(await elapse(0, b, a)).toEqual([0, 0]);
    for (let i = 0; i < 6; i += 1) expect(await elapse(1_000, a, b)).toEqual([0, 0]);
    expect((await leaseOf('t1-j0')).owner).toBe(B);
    expect(freed[A]).toEqual([]);
  });

  it('judges nobody until its own beats have been steady for the silence (a start, a pause of its own)', async () => {
    const b = liveness(B);
    await elapse(0, b);
    await store.claimJob('t1-j0', { owner: B, now: new Date(now).toISOString(), leaseMs: LEASE_MS });
    // A starts 10 s after B's last beat: B is long silent, but A has only just begun to beat.
    now += 10_000;
    const a = liveness(A);
    for (let i = 0; i < 4; i += 1) expect(await elapse(i === 0 ? 0 : 1_000, a)).toEqual([0]);
    // Four seconds of steady beats later, it judges.
    expect(await elapse(1_000, a)).toEqual([1]);

    // A pauses itself for 6 s (a gap in its own beats): B2, which beat until A's pause, is not
    // judged at A's first beat after it, though its last beat is 6 s old by then.
    await store.claimJob('t1-j1', { owner: 'host-b2', now: new Date(now).toISOString(), leaseMs: LEASE_MS });
    await store.beatWorker('host-b2', new Date(now).toISOString());
    expect(await elapse(6_000, a)).toEqual([0]);
    expect((await leaseOf('t1-j1')).expiresAt).toBe(new Date(now - 6_000 + LEASE_MS).toISOString());
  });

  it('forgets a worker that stops cleanly: its later silence frees nothing', async () => {
    const a = liveness(A);
    const b = liveness(B);
    await elapse(0, a, b);
    await store.claimJob('t1-j0', { owner: B, now: new Date(now).toISOString(), leaseMs: LEASE_MS });
    b.start();
    await b.stop();
    for (let i = 0; i < 8; i += 1) expect(await elapse(1_000, a)).toEqual([0]);
    expect((await leaseOf('t1-j0')).expiresAt).toBe(new Date(T0 + LEASE_MS).toISOString());
  });
});
