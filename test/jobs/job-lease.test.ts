import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobLease, newLeaseOwner } from '../../src/jobs/job-lease.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { FIXTURE_EXPIRES, queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';

/** A running job's lease kept alive, over a real SQLite store; fake intervals and clock. */

const T0 = Date.parse('2024-06-02T00:00:00.000Z');
const LEASE_MS = 30_000;
const CREATED = '2024-06-01T00:00:00.000Z';

let dir: string;
let store: Store;
let now: number;
let renewals: number;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-lease-'));
  store = await openStore({ dataDir: dir });
  now = T0;
  renewals = 0;
  await seedOrganization(store, { createdAt: CREATED });
  await store.insertTask(
    taskRecord({ id: 't1', createdAt: CREATED, expiresAt: FIXTURE_EXPIRES }),
    queuedJobs(['j1']),
  );
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function lease(owner: string, logged: string[]): JobLease {
  const counting: Store = Object.assign(Object.create(store) as Store, {
    renewLease(jobId: string, leaseOwner: string, at: string, leaseMs: number) {
      renewals += 1;
      return store.renewLease(jobId, leaseOwner, at, leaseMs);
    },
  });
  return new JobLease({
    store: counting,
    jobId: 'j1',
    owner,
    leaseMs: LEASE_MS,
    clock: () => new Date(now),
    log: (message) => logged.push(message),
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('a job lease', () => {
  it('is renewed every third of the lease, so no other worker can take the job over while it runs', async () => {
    await store.claimJob('j1', { owner: 'a', now: iso(T0), leaseMs: LEASE_MS });
    const logged: string[] = [];
    const held = lease('a', logged);
    try {
      for (let step = 1; step <= 6; step++) {
        now = T0 + step * 10_000;
        await vi.advanceTimersByTimeAsync(10_000);
        expect(renewals).toBe(step);
        expect((await store.listJobs('t1'))[0]!.leaseExpiresAt).toBe(iso(now + LEASE_MS));
        // Well past the first lease's end, the job is still held.
        expect(
          await store.claimJob('j1', { owner: 'b', now: iso(now + 1), leaseMs: LEASE_MS }),
        ).toBeUndefined();
      }
      expect(held.lost).toBe(false);
      expect(logged).toEqual([]);
    } finally {
      held.stop();
    }
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewals).toBe(6);
  });

  it('reports the loss once, when another worker took the job over, and stops renewing', async () => {
    await store.claimJob('j1', { owner: 'a', now: iso(T0), leaseMs: LEASE_MS });
    const logged: string[] = [];
    const held = lease('a', logged);
    try {
      // The worker stalled: no renewal ran before its lease expired and another one took over.
      now = T0 + LEASE_MS;
      expect(await store.claimJob('j1', { owner: 'b', now: iso(now), leaseMs: LEASE_MS })).toMatchObject({
        recovered: true,
      });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(held.lost).toBe(true);
      expect(logged).toEqual(['lease lost']);
      expect(await held.renew()).toBe(false);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(renewals).toBe(1);
      expect((await store.listJobs('t1'))[0]).toMatchObject({
        leaseOwner: 'b',
        leaseExpiresAt: iso(T0 + 2 * LEASE_MS),
      });
    } finally {
      held.stop();
    }
  });

  it('reports a cancel of its task once, without calling it a lost lease, and stops renewing', async () => {
    await store.claimJob('j1', { owner: 'a', now: iso(T0), leaseMs: LEASE_MS });
    const logged: string[] = [];
    let cancels = 0;
    const held = new JobLease({
      store,
      jobId: 'j1',
      owner: 'a',
      leaseMs: LEASE_MS,
      clock: () => new Date(now),
      log: (message) => logged.push(message),
      onCancelled: () => {
        cancels += 1;
      },
    });
    try {
      expect(await store.cancelTask('org-1', 't1', iso(T0 + 1))).toMatchObject({
        outcome: 'cancelled',
        stopped: 1,
      });
      now = T0 + 10_000;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(held.cancelled).toBe(true);
      expect(held.lost).toBe(false);
      expect(cancels).toBe(1);
      expect(await held.renew()).toBe(false);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(cancels).toBe(1);
      expect(logged).toEqual([]);
    } finally {
      held.stop();
    }
  });

  it('names owners by host and process, and never twice the same', () => {
    const owners = new Set(Array.from({ length: 100 }, () => newLeaseOwner()));
    expect(owners.size).toBe(100);
    for (const owner of owners)
      expect(owner).toMatch(new RegExp(`^${os.hostname()}:${process.pid}:[0-9a-f]{8}$`));
  });
});
