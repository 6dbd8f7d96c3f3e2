import { describe, expect, it } from 'vitest';
import {
  batchByBytes,
  batchForSlots,
  batchPartitions,
  exportJobsPerTask,
  jobsPerTask,
  partitionsPerJob,
} from '../../../src/tasks/planning/partition-batches.ts';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(5, '0')}`);

describe('partitionsPerJob', () => {
  it('never plans tiny jobs: at least 32 partitions per job', () => {
    expect(partitionsPerJob(1, 2)).toBe(32);
    expect(partitionsPerJob(40, 2)).toBe(32);
  });

  it('spreads a task evenly over its jobs, capped at 1000 partitions', () => {
    expect(partitionsPerJob(300, 2)).toBe(150);
    expect(partitionsPerJob(800, 4)).toBe(200);
    expect(partitionsPerJob(10_000, 2)).toBe(1000);
    expect(partitionsPerJob(1_000_000, 2)).toBe(1000);
  });
});

describe('exportJobsPerTask', () => {
  it('is one export job per core (they share its threads), at most one per worker slot', () => {
    expect(exportJobsPerTask(2, 2)).toBe(2);
    expect(exportJobsPerTask(8, 4)).toBe(4);
    expect(exportJobsPerTask(4, 8)).toBe(4);
    expect(exportJobsPerTask(2, 1)).toBe(1);
    expect(exportJobsPerTask(1, 0)).toBe(1);
  });
});

describe('jobsPerTask', () => {
  it("is one job when each job's DuckDB already uses every core", () => {
    expect(jobsPerTask(2, 2, 2)).toBe(1);
    expect(jobsPerTask(8, 4, 8)).toBe(1);
    expect(jobsPerTask(2, 2, 16)).toBe(1);
  });

  it('fills the cores with jobs of fewer threads, at most one per worker slot', () => {
    expect(jobsPerTask(8, 4, 2)).toBe(4);
    expect(jobsPerTask(8, 2, 2)).toBe(2);
    expect(jobsPerTask(8, 4, 3)).toBe(3);
    expect(jobsPerTask(2, 1, 1)).toBe(1);
    expect(jobsPerTask(1, 4, 0)).toBe(1);
  });
});

describe('batchPartitions', () => {
  it('keeps every partition exactly once, in order', () => {
    const partitions = keys(1000);
    const batches = batchPartitions(partitions, 64);
    expect(batches.flat()).toEqual(partitions);
    expect(batches).toHaveLength(Math.ceil(1000 / 64));
    expect(Math.max(...batches.map((b) => b.length))).toBe(64);
  });

  it('bounds batches by files when file counts are known', () => {
    const partitions = keys(10);
    const files = new Map(partitions.map((p, i) => [p, i === 3 ? 300 : 100]));
    const batches = batchPartitions(partitions, 1000, (p) => files.get(p)!, {
      maxPartitions: 1000,
      maxFiles: 256,
    });
    expect(batches.flat()).toEqual(partitions);
    for (const batch of batches) {
      const n = batch.reduce((sum, p) => sum + files.get(p)!, 0);
      // A partition larger than the bound gets a job of its own.
      expect(n <= 256 || batch.length === 1).toBe(true);
    }
    expect(batches.find((b) => b.includes('p00003'))).toEqual(['p00003']);
  });

  it('plans no job for no partitions', () => {
    expect(batchPartitions([], 32)).toEqual([]);
  });
});

describe('batchByBytes', () => {
  const sized = (sizes: number[]) => sizes.map((bytes, i) => ({ partition: `p${i}`, bytes }));

  it('fills batches in order up to the bound, never past it', () => {
    expect(batchByBytes(sized([40, 50, 10, 30, 80, 20]), 100)).toEqual([
      ['p0', 'p1', 'p2'],
      ['p3'],
      ['p4', 'p5'],
    ]);
  });

  it('gives a partition over the bound a batch of its own, and keeps empty ones with their neighbours', () => {
    expect(batchByBytes(sized([10, 250, 0, 90, 0]), 100)).toEqual([['p0'], ['p1'], ['p2', 'p3', 'p4']]);
  });

  it('makes the batches as even as the order allows, never more of them', () => {
    // In order up to 40 bytes: 4, 4 and 1 partitions; as even: 3, 3 and 3.
    expect(batchByBytes(sized(Array(9).fill(10)), 40).map((batch) => batch.length)).toEqual([3, 3, 3]);
  });

  it('keeps everything in one batch when it fits, and under no bound at all', () => {
    expect(batchByBytes(sized([1, 2, 3]), 100)).toEqual([['p0', 'p1', 'p2']]);
    expect(batchByBytes(sized([1, 2, 3]), 6)).toEqual([['p0', 'p1', 'p2']]);
    // An embedded unique count's bound: its search for even batches must not halve infinity forever.
    expect(batchByBytes(sized([5e9, 5e9, 5e9]), Number.POSITIVE_INFINITY)).toEqual([['p0', 'p1', 'p2']]);
    expect(batchByBytes([], Number.POSITIVE_INFINITY)).toEqual([]);
  });
});

describe('batchForSlots', () => {
  const sized = (sizes: number[]) => sizes.map((bytes, i) => ({ partition: `p${i}`, bytes }));
  const lengths = (batches: string[][]) => batches.map((batch) => batch.length);

  it('rounds the batches up to a multiple of the slots, as even as the order allows', () => {
    // 12 partitions of 10 bytes under 40: 3 batches; over 2 workers, 4 of 3 partitions.
    expect(lengths(batchForSlots(sized(Array(12).fill(10)), 40, 2))).toEqual([3, 3, 3, 3]);
    // Over 3 slots, 3 already is a multiple; over 4, 4.
    expect(lengths(batchForSlots(sized(Array(12).fill(10)), 40, 3))).toEqual([4, 4, 4]);
    expect(lengths(batchForSlots(sized(Array(12).fill(10)), 40, 4))).toEqual([3, 3, 3, 3]);
  });

  it('leaves alone one slot, a task within one batch, and partitions too large to share out', () => {
    expect(lengths(batchForSlots(sized(Array(12).fill(10)), 40, 1))).toEqual([4, 4, 4]);
    expect(batchForSlots(sized([10, 20]), 100, 2)).toEqual([['p0', 'p1']]);
    // Three partitions of 100: no fourth batch can be made of them.
    expect(batchForSlots(sized([100, 100, 100]), 100, 2)).toEqual([['p0'], ['p1'], ['p2']]);
  });
});

describe('batchForSlots over uneven partitions', () => {
  it('finds the bound that makes a multiple of the slots, not only the even share', () => {
    // 36 partitions of 3 to 9 units under 100: 3 batches; 4 wanted over 2 slots, each under 100.
    const sizes = Array.from({ length: 36 }, (_, i) => 3 + ((i * 5) % 7));
    const parts = sizes.map((bytes, i) => ({ partition: `p${i}`, bytes }));
    const batches = batchForSlots(parts, 100, 2);
    expect(batchByBytes(parts, 100)).toHaveLength(3);
    expect(batches).toHaveLength(4);
    const bytes = new Map(parts.map((p) => [p.partition, p.bytes]));
    for (const batch of batches) {
      expect(batch.reduce((sum, p) => sum + bytes.get(p)!, 0)).toBeLessThanOrEqual(100);
    }
    expect(batches.flat()).toEqual(parts.map((p) => p.partition));
  });
});
