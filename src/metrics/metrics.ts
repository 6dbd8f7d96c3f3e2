import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics, type HttpMetricsOptions } from './http-metrics.ts';
import { JobMetrics, type JobMetricsOptions } from './job-metrics.ts';

export interface MetricsOptions {
  /** Measure an API process: requests and tasks by status. */
  http?: HttpMetricsOptions;
  /** Measure a worker: jobs, rows and bytes, queue depth, leases. */
  jobs?: JobMetricsOptions;
  /** The process's CPU, memory, event loop and GC (`process_*`, `nodejs_*`). @defaultValue true */
  defaultMetrics?: boolean;
}

/**
 * The metrics of one process, in a registry of its own (never prom-client's global one, so several
 * servers in one process, as in tests, do not collide). The embedded mode measures both parts in one
 * registry; `audiences serve` only `http`, `audiences worker` only `jobs`.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly http: HttpMetrics | undefined;
  readonly jobs: JobMetrics | undefined;

  constructor(options: MetricsOptions) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.http = options.http ? new HttpMetrics(this.registry, options.http) : undefined;
    this.jobs = options.jobs ? new JobMetrics(this.registry, options.jobs) : undefined;
  }

  /** The media type of `scrape()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus text format, gauges read from their sources now. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
