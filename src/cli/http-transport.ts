import { Readable } from 'node:stream';

/** Statuses whose answer has no body: a `Response` made with one would throw. */
const NO_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The command line's `fetch`: node-fetch, over `node:http`, in place of Node's own `fetch`. A command
 * is a process that makes a few requests and ends, and the first request of Node's `fetch` in a
 * process compiles undici's WebAssembly HTTP parser, which added about 80 ms to every command that
 * calls the API (`npm run bench:cli`). The client still sees the standard
 * `Request` and `Response`: only the bytes travel another way.
 */
export async function commandLineFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  // Loaded on the first request: a command that makes none (`--help`) does not pay for it.
  const { default: nodeFetch } = await import('node-fetch');
  const answer = await nodeFetch(request.url, {
    method: request.method,
    headers: [...request.headers],
    body,
    redirect: request.redirect,
    signal: request.signal,
  });
  const empty = NO_BODY.has(answer.status) || request.method === 'HEAD' || answer.body === null;
  return new Response(empty ? null : (Readable.toWeb(answer.body as Readable) as ReadableStream), {
    status: answer.status,
    statusText: answer.statusText,
    headers: [...answer.headers],
  });
}
