import { describe, expect, it } from 'vitest';
import {
  batchByBytes,
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
