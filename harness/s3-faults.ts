import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy needs of the S3 server behind it: its endpoint and the environment pointing at it. */
export interface Upstream {
  endpoint: string;
  env: Record<string, string>;
}

/**
 * What the proxy does to one request instead of forwarding it as it is:
 * - `slowdown`, `internal`: answers 503 SlowDown, or 500 InternalError;
 * - `stall`: holds the request `ms` before forwarding it (a client that gives up first is recorded);
 * - `reset`: forwards the answer's headers and half its body, then resets the connection;
 * - `truncate`: the same, but closes the connection cleanly (Content-Length still says the whole);
 * - `stallBody`: forwards the headers and half the body, then waits `ms` before the rest;
 * - `changed`: answers with `replacement` (another version, its own ETag) as a store that ignores
 *   `If-Match` would, with the range asked for.
 */
export type Fault =
  | { kind: 'slowdown' | 'internal' | 'reset' | 'truncate' }
  | { kind: 'stall' | 'stallBody'; ms: number }
  | { kind: 'changed'; replacement: { body: Buffer; etag: string } };

/** A request the proxy saw, with the fault it injected (if any), once it was done with it. */
export interface SeenRequest {
  method: string;
  bucket: string;
  /** Empty for a listing. */
  key: string;
  range: string | undefined;
  fault: Fault['kind'] | undefined;
  /** The client closed the connection before the proxy had answered (it gave up on a stall). */
  abandoned: boolean;
}

export interface FaultProxy {
  endpoint: string;
  /** The S3 server's `env` with its S3 and GCS endpoints pointed at this proxy. */
  env: Record<string, string>;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A misbehaving object store: a proxy on 127.0.0.1 in front of an S3 server that forwards each
 * request as it is (the Host header too, which SigV4 signs) unless `plan` picks a fault for it.
 * Here rather than in test/ because the chaos run (bench/chaos/) uses it too, and bench code does
 * not import from test/.
 */
export async function startFaultProxy(
  s3: Upstream,
  plan: (request: SeenRequest) => Fault | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(s3.endpoint);
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const [bucket = '', ...key] = new URL(request.url ?? '/', s3.endpoint).pathname.slice(1).split('/');
    const entry: SeenRequest = {
      method: request.method ?? 'GET',
      bucket: decodeURIComponent(bucket),
      key: decodeURIComponent(key.join('/')),
      range: request.headers.range,
      fault: undefined,
      abandoned: false,
    };
    const fault = plan(entry);
    entry.fault = fault?.kind;
    seen.push(entry);
    response.on('close', () => {
      if (!response.writableFinished && !response.headersSent) entry.abandoned = true;
    });
    if (fault?.kind === 'slowdown' || fault?.kind === 'internal') {
      const [status, code] = fault.kind === 'slowdown' ? [503, 'SlowDown'] : [500, 'InternalError'];
      // The request's body is read first, as a store does, so the client sees the answer and not a reset.
      request.resume();
      request.on('end', () => {
        response.writeHead(status, { 'content-type': 'application/xml' });
        response.end(`<Error><Code>${code}</Code><Message>Injected by the fault proxy.</Message></Error>`);
      });
      return;
    }
    if (fault?.kind === 'changed') {
      request.resume();
      const { body, etag } = fault.replacement;
      const [, from, to] = /^bytes=(\d+)-(\d+)$/.exec(entry.range ?? '') ?? [];
      const start = from === undefined ? 0 : Number(from);
      const end = to === undefined ? body.length - 1 : Math.min(Number(to), body.length - 1);
      const part = body.subarray(start, end + 1);
      response.writeHead(entry.range ? 206 : 200, {
        etag,
        'content-length': String(part.length),
        ...(entry.range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
      });
      response.end(part);
      return;
    }
    const forward = () => {
      if (request.destroyed) return;
      const upstreamRequest = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: request.url,
          method: request.method,
          headers: request.headers,
        },
        (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          const length = Number(reply.headers['content-length'] ?? 0);
          const breaks = fault?.kind === 'reset' || fault?.kind === 'truncate' || fault?.kind === 'stallBody';
          if (!breaks || length < 2) {
            reply.pipe(response);
            return;
          }
          // Collect the body, send half of it, then break off as the fault says.
          const chunks: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => chunks.push(chunk));
          reply.on('end', () => {
            const body = Buffer.concat(chunks);
            const half = Math.floor(body.length / 2);
            response.write(body.subarray(0, half), () => {
              if (fault.kind === 'reset') response.socket?.resetAndDestroy();
              else if (fault.kind === 'truncate') response.socket?.end();
              else if (fault.kind === 'stallBody') {
                setTimeout(() => {
                  if (!response.destroyed) response.end(body.subarray(half));
                }, fault.ms);
              }
            });
          });
        },
      );
      upstreamRequest.on('error', (error) => {
        if (!response.headersSent) response.writeHead(502);
        response.end(String(error));
      });
      request.pipe(upstreamRequest);
    };
    if (fault?.kind === 'stall') setTimeout(forward, fault.ms);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: { ...s3.env, S3_ENDPOINT: endpoint, GCS_ENDPOINT: endpoint },
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
