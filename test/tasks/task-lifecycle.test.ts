import { describe, expect, it } from 'vitest';
import type { NewJob, TaskRecord } from '../../src/store/store.ts';
import { taskLifecycle } from '../../src/tasks/task-lifecycle.ts';
import { taskRecord } from '../support/store-records.ts';

const exportJob: NewJob = { id: 'u0', phase: 'unload', seq: 0, partitions: ['p1'], status: 'queued' };
const planned: Array<Record<string, number>> = [];
const lifecycle = taskLifecycle((_task, counts) => {
  planned.push(counts);
  return Object.values(counts).some((n) => n > 0) ? [exportJob] : [];
});
const task = (overrides: Partial<TaskRecord>) => taskRecord(overrides);
/** The one manifest job that ends every export. */
const manifestJob = { id: expect.any(String), phase: 'manifest', seq: 0, partitions: [], status: 'queued' };

describe('the task lifecycle', () => {
  it('ends a count at counted, with the counts, and plans no export', () => {
    planned.length = 0;
    expect(lifecycle.phaseEnded(task({ status: 'in_progress' }), 'count', { p0: 0, p1: 4 })).toEqual({
      status: 'counted',
      jobs: [],
      counts: { p0: 0, p1: 4 },
    });
    expect(planned).toEqual([]);
  });

  it('ends the count of a task that exports at once (counted for its figures) by starting its export', () => {
    planned.length = 0;
    const exporting = { view: { perform_unload: true }, plan: {} };
    expect(
      lifecycle.phaseEnded(task({ status: 'in_progress', request: exporting }), 'count', { p0: 0, p1: 4 }),
    ).toEqual({ status: 'unloading', jobs: [exportJob], counts: { p0: 0, p1: 4 } });
    expect(planned).toEqual([{ p0: 0, p1: 4 }]);
    expect(
      lifecycle.phaseEnded(task({ status: 'in_progress', request: exporting }), 'count', { p0: 0 }),
    ).toEqual({ status: 'unloading', jobs: [manifestJob], counts: { p0: 0 } });
  });

  it('ends an export with its manifest job; the export gives the counts only to a task not counted first', () => {
    expect(lifecycle.phaseEnded(task({ status: 'unloading' }), 'unload', { p1: 3 })).toEqual({
      status: 'unloading',
      jobs: [manifestJob],
      counts: { p1: 3 },
    });
    expect(
      lifecycle.phaseEnded(task({ status: 'unloading', countsJson: '{"p1":4}' }), 'unload', { p1: 4 }),
    ).toEqual({ status: 'unloading', jobs: [manifestJob] });
  });

  it('follows the count of a sliced unique count with one reduce job per bucket, keeping its counts', () => {
    const parts = [
      { kind: 'count', buckets: 4, uniqueCounts: { p1: 3 } },
      { kind: 'count', buckets: 4, uniqueCounts: { p0: 2 } },
    ];
    const move = lifecycle.phaseEnded(task({ status: 'in_progress' }), 'count', { p0: 5, p1: 4 }, parts);
    expect(move).toEqual({
      status: 'in_progress',
      counts: { p0: 5, p1: 4 },
      figures: { unique_count: null, unique_counts: { p0: 2, p1: 3 }, breakdowns: null },
      jobs: [0, 1, 2, 3].map((bucket) => ({
        id: expect.any(String),
        phase: 'reduce',
        seq: bucket,
        partitions: [`bucket=${bucket}`],
        status: 'queued',
      })),
    });
  });

  it('ends the reduce step at counted with the stored counts and the buckets’ people summed', () => {
    planned.length = 0;
    const reducing = task({
      status: 'in_progress',
      countsJson: '{"p0":5,"p1":4}',
      figuresJson: '{"unique_count":null,"unique_counts":{"p0":2,"p1":3},"breakdowns":null}',
    });
    const parts = [
      { kind: 'reduce', bucket: 0, unique: 1 },
      { kind: 'reduce', bucket: 1, unique: 0 },
      { kind: 'reduce', bucket: 2, unique: 3 },
    ];
    expect(lifecycle.phaseEnded(reducing, 'reduce', {}, parts)).toEqual({
      status: 'counted',
      jobs: [],
      counts: { p0: 5, p1: 4 },
      figures: { unique_count: 4, unique_counts: { p0: 2, p1: 3 }, breakdowns: null },
    });
    // A task that exports at once plans its export from those counts.
    const exporting = { ...reducing, request: { view: { perform_unload: true }, plan: {} } };
    expect(lifecycle.phaseEnded(exporting, 'reduce', {}, parts)).toMatchObject({
      status: 'unloading',
      jobs: [exportJob],
      counts: { p0: 5, p1: 4 },
    });
    expect(planned).toEqual([{ p0: 5, p1: 4 }]);
  });

  it('counts a sliced people export by bucket: its count jobs count nothing, its reduce step its people', () => {
    planned.length = 0;
    const request = {
      view: { perform_unload: true },
      plan: { uniqueBy: 'person_id', people: { shape: 'intent', minTopics: 2, minDays: null } },
    };
    const parts = [
      { kind: 'count', buckets: 2, uniqueCounts: {} },
      { kind: 'count', buckets: 2, uniqueCounts: {} },
    ];
    const counting = task({ status: 'in_progress', request });
    expect(lifecycle.phaseEnded(counting, 'count', {}, parts)).toMatchObject({
      status: 'in_progress',
      counts: {},
      figures: { unique_count: null, unique_counts: null, breakdowns: null },
      jobs: [{ phase: 'reduce' }, { phase: 'reduce' }],
    });
    const reducing = task({
      status: 'in_progress',
      request,
      countsJson: '{}',
      figuresJson: '{"unique_count":null,"unique_counts":null,"breakdowns":null}',
    });
    const reduced = [
      { kind: 'reduce', bucket: 0, unique: 3 },
      { kind: 'reduce', bucket: 1, unique: 4 },
    ];
    // Exported at once, from its people as the buckets counted them.
    expect(lifecycle.phaseEnded(reducing, 'reduce', {}, reduced)).toEqual({
      status: 'unloading',
      jobs: [exportJob],
      counts: { people: 7 },
      figures: { unique_count: 7, unique_counts: { people: 7 }, breakdowns: null },
    });
    expect(planned).toEqual([{ people: 7 }]);
  });

  it('completes a task once its manifest is written', () => {
    expect(
      lifecycle.phaseEnded(task({ status: 'unloading', countsJson: '{"p1":4}' }), 'manifest', {}),
    ).toEqual({
      status: 'completed',
      jobs: [],
    });
  });

  it('starts the export of a counted task, or only its manifest when nothing has rows', () => {
    expect(lifecycle.unloadRequested(task({ status: 'counted' }), { p0: 0, p1: 4 })).toEqual({
      status: 'unloading',
      jobs: [exportJob],
    });
    expect(lifecycle.unloadRequested(task({ status: 'counted' }), { p0: 0 })).toEqual({
      status: 'unloading',
      jobs: [manifestJob],
    });
  });

  it('takes a failed task back to the status of its failed jobs: exporting, counting, or where a listed task started', () => {
    const failed = (request: unknown) => task({ status: 'failed', request });
    const exportsAtOnce = { view: { perform_unload: true }, plan: {} };
    const heldForReview = { view: { perform_unload: false }, plan: {} };
    const countedForFigures = { view: { perform_unload: true }, plan: { uniqueBy: 'person_id' } };
    expect(lifecycle.retryRequested(failed(heldForReview), 'unload')).toBe('unloading');
    expect(lifecycle.retryRequested(failed(exportsAtOnce), 'count')).toBe('in_progress');
    expect(lifecycle.retryRequested(failed(exportsAtOnce), 'list')).toBe('unloading');
    expect(lifecycle.retryRequested(failed(heldForReview), 'list')).toBe('in_progress');
    expect(lifecycle.retryRequested(failed(countedForFigures), 'list')).toBe('in_progress');
  });

  it.each(['in_progress', 'counted', 'unloading', 'completed', 'cancelled'] as const)(
    'refuses to retry a task %s',
    (status) => {
      expect(lifecycle.retryRequested(task({ status }), 'count')).toBeUndefined();
    },
  );

  it.each(['in_progress', 'unloading', 'completed', 'failed', 'cancelled'] as const)(
    'refuses the export of a task %s',
    (status) => {
      expect(lifecycle.unloadRequested(task({ status }), { p1: 4 })).toBeUndefined();
    },
  );
});
