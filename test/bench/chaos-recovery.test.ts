import { describe, expect, it } from 'vitest';
import { RECOVERY_BOUND_CHECK, RecoveryWatch } from '../../bench/chaos/recovery.ts';
import type { StoreWatch } from '../../bench/chaos/store-watch.ts';
import { Checks } from '../../bench/chaos/verify.ts';
import type { PrivateRedis } from '../../harness/private-redis.ts';

/**
 * The chaos run holds a killed worker's jobs to the 10 s failover bound only when a worker stayed
 * up to take them over: a kill during a PostgreSQL or Redis restart, or in a burst that killed
 * every other worker slot within 10 s, is held to "ran again" and reported apart. The watch is fed
 * recorded kills (it never reads its store or Redis here).
 */

const T0 = 1_000_000;
const SLOTS = ['worker1', 'worker2', 'worker3'];

function watchWith(kills: Array<{ slot: string; at: number; recoveredMs: number }>): RecoveryWatch {
  const watch = new RecoveryWatch({} as StoreWatch, {} as PrivateRedis);
  for (const [i, kill] of kills.entries()) {
    watch.trackKill({
      slot: kill.slot,
      pid: 100 + i,
      killedAt: T0 + kill.at,
      jobs: [`job-${i}`],
      recoveredMs: { [`job-${i}`]: kill.recoveredMs },
      leaseEndedMs: {},
      deliveryHeldMs: {},
    });
  }
  return watch;
}

describe('the chaos run’s failover bound', () => {
  const kills = [
    // A burst: all three worker slots killed within 5 s; the first one's jobs wait 14 s.
    { slot: 'worker1', at: 0, recoveredMs: 14_000 },
    { slot: 'worker2', at: 3_000, recoveredMs: 9_000 },
    { slot: 'worker3', at: 5_000, recoveredMs: 8_000 },
    // Two slots killed, the third up: held to the bound, and 12 s misses it.
    { slot: 'worker1', at: 100_000, recoveredMs: 12_000 },
    { slot: 'worker2', at: 104_000, recoveredMs: 4_000 },
    // During a Redis restart: held to "ran again".
    { slot: 'worker3', at: 200_000, recoveredMs: 25_000 },
  ];
  const workers = { kills: kills.map((k) => ({ slot: k.slot, at: T0 + k.at })), slots: SLOTS.length };
  const outages = [{ startAt: T0 + 195_000, endAt: T0 + 215_000 }];

  it('holds to the bound only kills that left another worker up, outside an outage', () => {
    const checks = new Checks();
    watchWith(kills).check(checks, T0, outages, workers);
    expect(checks.tallies['every job a killed worker held ran again']).toEqual({ passed: 6, failed: 0 });
    expect(checks.tallies[RECOVERY_BOUND_CHECK]).toEqual({ passed: 1, failed: 1 });
    expect(checks.failures.map((f) => f.detail)).toEqual([
      'worker1 (pid 103, killed at 100.0 s): job job-3 ran again 12.0 s after the kill',
    ]);
  });

  it('marks each kill as in a burst or during an outage for the report', () => {
    const summaries = watchWith(kills).killSummaries(T0, outages, workers);
    expect(summaries.map((s) => [s.inBurst, s.duringOutage])).toEqual([
      [true, false],
      [true, false],
      [true, false],
      [false, false],
      [false, false],
      [false, true],
    ]);
  });
});
