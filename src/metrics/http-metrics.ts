import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The `route` label of a request no route matched (404s, malformed URLs): one value, never the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; long polls (`?wait=`) answer after up to a minute. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface HttpMetricsOptions {
  /**
   * Unexpired tasks of every organisation by status (the store's `countTasksByStatus`), read at
   * each scrape. When it rejects, the scrape goes on without the `audiences_tasks` samples.
   */
  taskCounts: () => Promise<Record<string, number>>;
  /** Told when `taskCounts` rejects. */
  onError?: (error: unknown) => void;
}

/**
 * What an API process measures: requests by route pattern and status, their latency, and tasks by
 * status. Labels hold route patterns (`/api/v1/status/:task_id`), never URLs: no id or token can
 * reach a label, and the number of series stays bounded.
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry, options: HttpMetricsOptions) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'audiences_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.durations = new Histogram({
      name: 'audiences_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its answer, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'audiences_tasks',
      help: 'Unexpired tasks of every organisation, by status (read from the store at each scrape).',
      labelNames: ['status'],
      registers,
      async collect() {
        try {
          const counts = await options.taskCounts();
          for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
        } catch (error) {
          // Stale numbers would look current: show none, and keep the HTTP metrics scrapeable.
          this.reset();
          options.onError?.(error);
        }
      },
    });
  }

  /**
   * Records one answered request. `route` is the matched route's pattern, undefined when none
   * matched; `seconds` is the time the answer took.
   */
  requestAnswered(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method, route: route ?? UNMATCHED_ROUTE, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }
}
