import http from 'node:http';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

/**
 * A lean keep-alive HTTP/1.1 client (node:http), so the harness's own cost per request stays small
 * next to the server's.
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  request(
    method: string,
    pathname: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpReply> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path: pathname,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    options: { body?: unknown; headers?: Record<string, string>; expect?: number } = {},
  ): Promise<{ body: T; ms: number }> {
    const reply = await this.request(method, pathname, options);
    if (options.expect !== undefined && reply.status !== options.expect) {
      throw new Error(`${method} ${pathname}: ${reply.status} ${reply.text.slice(0, 500)}`);
    }
    return { body: JSON.parse(reply.text) as T, ms: reply.ms };
  }

  close(): void {
    this.agent.destroy();
  }
}
