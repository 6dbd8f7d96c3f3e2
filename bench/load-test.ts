import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  bytesPerRequest: number;
}

/** autocannon against one URL (in the harness process), counting only 2xx answers as served. */
export async function loadTest(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationSec: number,
): Promise<LoadResult> {
  const result = await autocannon({ url, headers, connections, duration: durationSec });
  const ok = result['2xx'];
  return {
    requestsPerSec: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    bytesPerRequest: result.throughput.total / Math.max(1, result.requests.total),
  };
}
