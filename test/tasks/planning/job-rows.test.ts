import { describe, expect, it } from 'vitest';
import { jobsFor, listJob, manifestJob } from '../../../src/tasks/planning/job-rows.ts';

describe('jobsFor', () => {
  it('numbers jobs of a phase and gives each a unique id', () => {
    const jobs = jobsFor('count', [['a'], ['b', 'c']], 'queued');
    expect(jobs.map((j) => [j.phase, j.seq, j.partitions, j.status])).toEqual([
      ['count', 0, ['a'], 'queued'],
      ['count', 1, ['b', 'c'], 'queued'],
    ]);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
  });

  it('makes the one list job of an input listed later, and the one manifest job of an export', () => {
    expect(listJob().map((j) => [j.phase, j.seq, j.partitions, j.status])).toEqual([
      ['list', 0, [], 'queued'],
    ]);
    expect(manifestJob().map((j) => [j.phase, j.seq, j.partitions, j.status])).toEqual([
      ['manifest', 0, [], 'queued'],
    ]);
  });
});
