import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.ts';
import { parseScrape, sampleSum } from '../support/prometheus.ts';

describe('Metrics', () => {
  it('records requests under their route pattern, and unmatched ones under one value', async () => {
    const metrics = new Metrics({ http: { taskCounts: async () => ({}) }, defaultMetrics: false });
    metrics.http!.requestAnswered('GET', '/api/v1/status/:task_id', 200, 0.003);
    metrics.http!.requestAnswered('GET', '/api/v1/status/:task_id', 200, 0.2);
    metrics.http!.requestAnswered('GET', undefined, 404, 0.001);
    const samples = parseScrape(await metrics.scrape());
    const route = { method: 'GET', route: '/api/v1/status/:task_id', status: '200' };
    expect(sampleSum(samples, 'audiences_http_requests_total', route)).toBe(2);
    expect(sampleSum(samples, 'audiences_http_request_duration_seconds_count', route)).toBe(2);
    expect(sampleSum(samples, 'audiences_http_request_duration_seconds_sum', route)).toBeCloseTo(0.203);
    expect(
      sampleSum(samples, 'audiences_http_request_duration_seconds_bucket', { ...route, le: '0.005' }),
    ).toBe(1);
    expect(sampleSum(samples, 'audiences_http_requests_total', { route: 'unmatched', status: '404' })).toBe(
      1,
    );
  });

  it('reads tasks by status at each scrape, and scrapes without them when the store fails', async () => {
    let counts: Record<string, number> | Error = { completed: 3, failed: 1 };
    const errors: unknown[] = [];
    const metrics = new Metrics({
      http: {
        taskCounts: async () => {
          if (counts instanceof Error) throw counts;
          return counts;
        },
        onError: (error) => errors.push(error),
      },
      defaultMetrics: false,
    });
    metrics.http!.requestAnswered('GET', '/healthz', 200, 0.001);
    let samples = parseScrape(await metrics.scrape());
    expect(sampleSum(samples, 'audiences_tasks', { status: 'completed' })).toBe(3);
    expect(sampleSum(samples, 'audiences_tasks', { status: 'failed' })).toBe(1);

    counts = new Error('store down');
    samples = parseScrape(await metrics.scrape());
    expect(samples.filter((s) => s.name === 'audiences_tasks')).toEqual([]);
    expect(sampleSum(samples, 'audiences_http_requests_total')).toBe(1);
    expect(errors).toEqual([counts]);

    counts = { completed: 4 };
    samples = parseScrape(await metrics.scrape());
    expect(sampleSum(samples, 'audiences_tasks', { status: 'completed' })).toBe(4);
  });

  it('records job runs by phase and outcome, and volumes only of finished ones', async () => {
    const metrics = new Metrics({ jobs: {}, defaultMetrics: false });
    const jobs = metrics.jobs!;
    jobs.jobSettled('count', 'done', 0.01, { rowsRead: 10, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 });
    jobs.jobSettled('unload', 'done', 1.5, {
      rowsRead: 7,
      bytesRead: 900,
      rowsWritten: 7,
      bytesWritten: 300,
    });
    jobs.jobSettled('unload', 'requeued', 0.5);
    jobs.jobSettled('unload', 'failed', 0.5);
    jobs.leasesExpired(2);
    jobs.leasesRecovered();
    const samples = parseScrape(await metrics.scrape());
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'done' })).toBe(1);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'requeued' })).toBe(1);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'failed' })).toBe(1);
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'count' })).toBe(1);
    expect(sampleSum(samples, 'audiences_job_duration_seconds_count', { phase: 'unload' })).toBe(3);
    expect(sampleSum(samples, 'audiences_job_duration_seconds_sum', { phase: 'unload' })).toBeCloseTo(2.5);
    expect(sampleSum(samples, 'audiences_rows_read_total', { phase: 'count' })).toBe(10);
    expect(sampleSum(samples, 'audiences_rows_read_total')).toBe(17);
    expect(sampleSum(samples, 'audiences_bytes_read_total', { phase: 'unload' })).toBe(900);
    expect(sampleSum(samples, 'audiences_rows_written_total')).toBe(7);
    expect(sampleSum(samples, 'audiences_bytes_written_total')).toBe(300);
    expect(sampleSum(samples, 'audiences_leases_expired_total')).toBe(2);
    expect(sampleSum(samples, 'audiences_leases_recovered_total')).toBe(1);
  });

  it("records where a finished job's time went, step by step, in seconds", async () => {
    const metrics = new Metrics({ jobs: {}, defaultMetrics: false });
    metrics.jobs!.jobSteps('unload', { queued: 4, claim: 2, write: 1500, publish: 500, total: 2100 });
    metrics.jobs!.jobSteps('unload', { write: 500, total: 600 });
    const samples = parseScrape(await metrics.scrape());
    const step = (name: string, step: string) => sampleSum(samples, name, { phase: 'unload', step });
    expect(step('audiences_job_step_seconds_count', 'write')).toBe(2);
    expect(step('audiences_job_step_seconds_sum', 'write')).toBeCloseTo(2);
    expect(step('audiences_job_step_seconds_count', 'publish')).toBe(1);
    expect(step('audiences_job_step_seconds_sum', 'publish')).toBeCloseTo(0.5);
    expect(step('audiences_job_step_seconds_sum', 'claim')).toBeCloseTo(0.002);
    expect(step('audiences_job_step_seconds_sum', 'total')).toBeCloseTo(2.7);
    // Without a depth source there is no queue depth to show (rather than a made-up 0).
    expect(samples.some((s) => s.name === 'audiences_queue_depth')).toBe(false);
  });

  it('keeps the registries of two instances apart', async () => {
    const a = new Metrics({ jobs: {} });
    const b = new Metrics({ jobs: {} });
    a.jobs!.jobSettled('count', 'failed', 1);
    const samples = parseScrape(await b.scrape());
    expect(sampleSum(samples, 'audiences_jobs_total')).toBe(0);
    expect(sampleSum(parseScrape(await a.scrape()), 'audiences_jobs_total')).toBe(1);
  });
});
