import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy treats one request: answer it itself, or forward it (and maybe drop the answer). */
export type ProxyStep =
  | { answer: number; headers?: Record<string, string>; body?: string }
  | { forward: true; thenAnswer?: number };

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FlakyProxy {
  url: string;
  /** Requests received, in order. */
  seen: SeenRequest[];
  /** Treat the next requests with these steps, in order; then forward. */
  plan(...steps: ProxyStep[]): void;
  close(): Promise<void>;
}

/**
 * A small HTTP proxy on 127.0.0.1 in front of a real server: it answers as planned (503 with
 * `Retry-After`, say), forwards, or forwards and then drops the server's answer in favour of its
 * own (a lost answer), so a client's retries can be watched.
 */
export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const seen: SeenRequest[] = [];
  let steps: ProxyStep[] = [];
  const forward = (
    request: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        new URL(request.url ?? '/', target),
        { method: request.method, headers: { ...request.headers, host: new URL(target).host } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      seen.push({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers });
      const step = steps.shift() ?? { forward: true };
      try {
        if ('answer' in step) {
          response.writeHead(step.answer, step.headers ?? {}).end(step.body ?? '');
          return;
        }
        const answer = await forward(request, Buffer.concat(chunks));
        if (step.thenAnswer) {
          response.writeHead(step.thenAnswer, { 'retry-after': '0' }).end('upstream answer lost');
          return;
        }
        response.writeHead(answer.status, answer.headers).end(answer.body);
      } catch (error) {
        response.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    plan: (...next) => {
      steps = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
