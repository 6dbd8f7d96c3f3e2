import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.ts';
import { type MetricsServer, startMetricsServer } from '../../src/metrics/metrics-server.ts';
import { parseScrape, sampleSum } from '../support/prometheus.ts';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startMetricsServer', () => {
  it("serves a worker's own registry at /metrics in Prometheus text format", async () => {
    let depth = 7;
    const metrics = new Metrics({ jobs: { queueDepth: async () => depth } });
    metrics.jobs!.jobSettled('unload', 'done', 0.2, {
      rowsRead: 5,
      bytesRead: 100,
      rowsWritten: 5,
      bytesWritten: 40,
    });
    server = await startMetricsServer(metrics, 0, '127.0.0.1');
    expect(server.port).toBeGreaterThan(0);

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseScrape(await response.text());
    expect(sampleSum(samples, 'audiences_jobs_total', { phase: 'unload', outcome: 'done' })).toBe(1);
    expect(sampleSum(samples, 'audiences_rows_written_total')).toBe(5);
    expect(sampleSum(samples, 'audiences_queue_depth')).toBe(7);
    // A worker's registry holds no HTTP metrics, and the default process metrics are there.
    expect(samples.some((s) => s.name.startsWith('audiences_http_'))).toBe(false);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);

    // Gauges are read at each scrape.
    depth = 2;
    const again = parseScrape(await (await fetch(`${server.url}/metrics?x=1`)).text());
    expect(sampleSum(again, 'audiences_queue_depth')).toBe(2);
  });

  it('answers nothing else', async () => {
    server = await startMetricsServer(new Metrics({ jobs: {}, defaultMetrics: false }), 0, '127.0.0.1');
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics/x`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 when the metrics cannot be collected, and keeps serving', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let broken = true;
    const { Gauge } = await import('prom-client');
    new Gauge({
      name: 'test_broken',
      help: 'A gauge whose source fails.',
      registers: [metrics.registry],
      collect() {
        if (broken) throw new Error('source down');
        this.set(1);
      },
    });
    server = await startMetricsServer(metrics, 0, '127.0.0.1');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    broken = false;
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });

  it('rejects when the port is taken', async () => {
    server = await startMetricsServer(new Metrics({ jobs: {}, defaultMetrics: false }), 0, '127.0.0.1');
    await expect(
      startMetricsServer(new Metrics({ jobs: {}, defaultMetrics: false }), server.port, '127.0.0.1'),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
