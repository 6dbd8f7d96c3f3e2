import { describe, expect, it } from 'vitest';
import {
  EXPORT_MEMORY_SHARES,
  engineBudgets,
  PEOPLE_INPUT_PER_MEMORY,
  sliceBounds,
} from '../../src/composition/engine-budgets.ts';
import type { EngineConfig, QueueConfig } from '../../src/config.ts';

const engine: EngineConfig = {
  threads: 2,
  memoryBytes: 1e9,
  jobTimeoutMs: 60_000,
  jobMaxBytes: 512e6,
  countJobMaxBytes: 16 * 512e6,
  uniqueJobMaxBytes: undefined,
  sliceBuckets: undefined,
  previewTimeoutMs: 10_000,
  exportCompression: 'snappy',
};
const queue = (workerConcurrency: number, countConcurrency: number): QueueConfig => ({
  redisUrl: undefined,
  redisPrefix: 'audiences',
  workerConcurrency,
  countConcurrency,
});

describe('the DuckDB memory of the job slots', () => {
  it('gives an export slot three shares and a count slot one, of three quarters of DUCKDB_MEMORY_LIMIT', () => {
    expect(EXPORT_MEMORY_SHARES).toBe(3);
    // 2 export slots and 1 count slot: 7 shares of 750 MB, 107.14 MB each.
    const budgets = engineBudgets(engine, queue(2, 1));
    expect(budgets.exports).toEqual({ memoryLimit: '321MB', threads: 2, timeoutMs: 60_000 });
    expect(budgets.counts).toEqual({ memoryLimit: '107MB', threads: 2, timeoutMs: 60_000 });
  });

  it('never hands out more than three quarters of the limit over every slot', () => {
    for (const [exports, counts] of [
      [1, 1],
      [4, 2],
      [64, 64],
    ] as const) {
      const budgets = engineBudgets({ ...engine, memoryBytes: 4e9 }, queue(exports, counts));
      const total =
        exports * Number.parseInt(budgets.exports.memoryLimit, 10) +
        counts * Number.parseInt(budgets.counts.memoryLimit, 10);
      expect(total * 1e6).toBeLessThanOrEqual(0.75 * 4e9);
    }
  });

  it('slices unique work on a shared store past a count job, and a people export past what a slot folds', () => {
    expect(PEOPLE_INPUT_PER_MEMORY).toBe(4);
    // DUCKDB_MEMORY_LIMIT=256MB on 1 + 1 slots: an export slot of 144 MB folds the people of 576 MB
    // of input, less than a count job's 2 GB; a unique count spills, and takes on a count job's input.
    const small = { ...engine, memoryBytes: 256e6 };
    expect(sliceBounds(small, queue(1, 1), false)).toEqual({ unique: 4 * 512e6, people: 576e6 });
    // A worker alone slices a unique count never, a people export past its memory.
    expect(sliceBounds(small, queue(1, 1), true)).toEqual({
      unique: Number.POSITIVE_INFINITY,
      people: 576e6,
    });
    // 12 GB on 2 + 1 slots (the embedded defaults on 24 GB): 3.86 GB an export slot.
    const large = { ...engine, memoryBytes: 12e9 };
    // Workers sharing a store: four times JOB_MAX_BYTES, so they share the work.
    expect(sliceBounds(large, queue(2, 1), false)).toEqual({ unique: 4 * 512e6, people: 4 * 512e6 });
    // A worker alone: what memory holds, as slicing would buy it no other worker.
    expect(sliceBounds(large, queue(2, 1), true)).toEqual({
      unique: Number.POSITIVE_INFINITY,
      people: 15428571428,
    });
    // UNIQUE_JOB_MAX_BYTES bounds both, alone or not (the tests force slicing with it).
    for (const alone of [true, false]) {
      expect(sliceBounds({ ...large, uniqueJobMaxBytes: 4e6 }, queue(2, 1), alone)).toEqual({
        unique: 4e6,
        people: 4e6,
      });
    }
    // A small JOB_MAX_BYTES bounds them on a shared store only.
    expect(sliceBounds({ ...large, jobMaxBytes: 1e6 }, queue(2, 2), false)).toEqual({
      unique: 4e6,
      people: 4e6,
    });
  });
});
