import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers a request: a status, or `hang` to leave it without an answer. */
export type HookAnswer = number | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  /** Requests received on `path`, in order. */
  received(path: string): ReceivedHook[];
  /** Answers the requests on `path` in turn with these, then with the last one. @defaultValue 200 */
  answer(path: string, ...answers: HookAnswer[]): void;
  /** Waits until `path` has received `count` requests (or fails after `timeoutMs`). */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedHook[]>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1: records every request by path and answers as told. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const got = new Map<string, ReceivedHook[]>();
  const answers = new Map<string, HookAnswer[]>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      const list = got.get(path) ?? [];
      list.push({ path, headers: request.headers, body });
      got.set(path, list);
      const planned = answers.get(path) ?? [200];
      const answer = planned.length > 1 ? planned.shift()! : planned[0]!;
      if (answer !== 'hang') response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received: (path) => got.get(path) ?? [],
    answer: (path, ...planned) => {
      answers.set(path, planned);
    },
    async waitFor(path, count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while ((got.get(path) ?? []).length < count) {
        if (Date.now() > deadline) {
          throw new Error(`${path} received ${(got.get(path) ?? []).length} requests, expected ${count}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return got.get(path)!;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Verifies a delivery as a receiver would, independently of the service's code: Standard
 * Webhooks' `v1` HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the secret's base64 part.
 */
export function signatureValid(secret: string, hook: ReceivedHook): boolean {
  const id = String(hook.headers['webhook-id']);
  const timestamp = String(hook.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(
    createHmac('sha256', key).update(`${id}.${timestamp}.${hook.body}`).digest('base64'),
  );
  return String(hook.headers['webhook-signature'])
    .split(' ')
    .some((signature) => {
      const [version, value = ''] = signature.split(',');
      const given = Buffer.from(value);
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}
