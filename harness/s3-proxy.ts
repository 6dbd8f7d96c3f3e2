import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Server } from './s3rver.ts';

/** A GET the proxy forwarded to the S3 server, once its answer ended. */
export interface ProxiedGet {
  /** Bucket and key of the path (path-style addressing); the key is empty for a listing. */
  bucket: string;
  key: string;
  /** The request's Range header, if it had one. */
  range: string | undefined;
  status: number;
  /** Bytes of the answer's body, as they went through the proxy. */
  bytes: number;
}

export interface S3Proxy {
  endpoint: string;
  /** The S3 server's `env` with its S3 and GCS endpoints pointed at this proxy. */
  env: Record<string, string>;
  /** Every GET forwarded (listings and objects), in the order their answers ended. */
  gets: ProxiedGet[];
  close(): Promise<void>;
}

/**
 * A proxy on 127.0.0.1 in front of an S3 server that sees what the service's S3 client really
 * moves: it forwards each request as it is (the Host header too, which SigV4 signs), counts the
 * bytes of each GET's answer, and answers the requests `refuse` picks with 503 SlowDown instead.
 */
export async function startS3Proxy(
  s3: S3Server,
  refuse: (request: http.IncomingMessage) => boolean = () => false,
): Promise<S3Proxy> {
  const upstream = new URL(s3.endpoint);
  const gets: ProxiedGet[] = [];
  const server = http.createServer((request, response) => {
    if (refuse(request)) {
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end('<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>');
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        let bytes = 0;
        reply.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        reply.on('end', () => {
          if (request.method !== 'GET') return;
          const [bucket = '', ...key] = new URL(request.url ?? '/', s3.endpoint).pathname.slice(1).split('/');
          gets.push({
            bucket: decodeURIComponent(bucket),
            key: decodeURIComponent(key.join('/')),
            range: request.headers.range,
            status: reply.statusCode ?? 502,
            bytes,
          });
        });
        reply.pipe(response);
      },
    );
    forward.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    });
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: { ...s3.env, S3_ENDPOINT: endpoint, GCS_ENDPOINT: endpoint },
    gets,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
