import { describe, expect, it } from 'vitest';
import {
  EXPORT_MEMORY_SHARES,
  engineBudgets,
  PEOPLE_INPUT_PER_MEMORY,
  peopleJobBytes,
} from '../../src/composition/engine-budgets.ts';
import type { EngineConfig, QueueConfig } from '../../src/config.ts';

const engine: EngineConfig = {
  threads: 2,
  memoryBytes: 1e9,
  jobTimeoutMs: 60_000,
  jobMaxBytes: 512e6,
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

  it('slices a people export once its input is more than an export slot folds: four times its memory, at most a count job’s', () => {
    expect(PEOPLE_INPUT_PER_MEMORY).toBe(4);
    // DUCKDB_MEMORY_LIMIT=256MB on 1 + 1 slots: an export slot of 144 MB folds 576 MB of input.
    const small = { ...engine, memoryBytes: 256e6 };
    expect(peopleJobBytes(small, queue(1, 1))).toBe(576e6);
    // Plenty of memory: a count job's bound, four times JOB_MAX_BYTES.
    expect(peopleJobBytes({ ...engine, memoryBytes: 12e9 }, queue(2, 2))).toBe(4 * 512e6);
    expect(peopleJobBytes({ ...small, memoryBytes: 12e9, jobMaxBytes: 1e6 }, queue(2, 2))).toBe(4e6);
  });
});
