import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';

export interface MetricsServer {
  /** Where it listens, e.g. `http://127.0.0.1:9464`; the metrics are at `${url}/metrics`. */
  url: string;
  port: number;
  /** Stops listening; resolves once open connections have ended. */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` of one process on a port of its own (a worker's `METRICS_PORT`), with no
 * other route and no authentication: bind it to an address only the scraper reaches. Port 0 picks
 * a free one.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== '/metrics') return answer(response, 404, 'not found; metrics are at /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return answer(response, 405, 'method not allowed; use GET\n');
    }
    metrics.scrape().then(
      (text) => answer(response, 200, text, metrics.contentType),
      () => answer(response, 500, 'metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    // Idle keep-alive connections are closed at once (Node 19+); a scrape under way is answered first.
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function answer(
  response: http.ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
) {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
