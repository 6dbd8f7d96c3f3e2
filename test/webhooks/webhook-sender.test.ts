import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refusedPort } from '../../harness/server-process.ts';
import type { ResolvedAddress } from '../../src/webhooks/address-guard.ts';
import { nextAttemptAt } from '../../src/webhooks/webhook-deliverer.ts';
import { WebhookSender } from '../../src/webhooks/webhook-sender.ts';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local receiver; `answer` decides each reply (it may leave a request hanging). */
let received: Received[] = [];
let answer: (request: Received, response: http.ServerResponse) => void;
let receiver: http.Server;
let port: number;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const got = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      received.push(got);
      answer(got, response);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterEach(() => {
  received = [];
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Resolves every name to `address`, counting look-ups. */
function resolveTo(address: string) {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    return [{ address, family: 4 }];
  };
  return Object.assign(resolve, { calls });
}

const HEADERS = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1717286400', 'webhook-signature': 'v1,x' };

describe('WebhookSender', () => {
  it('connects to the address it checked, keeping the URL host for the Host header', async () => {
    answer = (_request, response) => response.writeHead(204).end();
    const resolve = resolveTo('127.0.0.1');
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve },
      allowHttp: true,
      timeoutMs: 5_000,
    });
    // receiver.test exists in no DNS: only the checked address can be reached.
    const result = await sender.send(`http://receiver.test:${port}/hooks?x=1`, HEADERS, '{"a":1}');
    expect(result).toEqual({ statusCode: 204, error: null });
    expect(resolve.calls).toEqual(['receiver.test']);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/hooks?x=1',
      body: '{"a":1}',
      headers: {
        host: `receiver.test:${port}`,
        'content-type': 'application/json',
        'webhook-id': 'msg_1',
        'webhook-timestamp': '1717286400',
        'webhook-signature': 'v1,x',
      },
    });
  });

  it('refuses at delivery time a host that now resolves to a private address, and sends nothing', async () => {
    answer = (_request, response) => response.writeHead(200).end();
    // The name resolved to a public address when the webhook was created; now it answers loopback.
    const sender = new WebhookSender({
      policy: { allowPrivate: false, resolve: resolveTo('127.0.0.1') },
      allowHttp: true,
      timeoutMs: 5_000,
    });
    const result = await sender.send(`http://rebound.test:${port}/`, HEADERS, '{}');
    expect(result.statusCode).toBeNull();
    expect(result.error).toBe(
      'refused: "rebound.test" resolves to 127.0.0.1, a loopback address: webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=1 allows others)',
    );
    expect(received).toEqual([]);
  });

  it('refuses http:// unless allowed', async () => {
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      allowHttp: false,
      timeoutMs: 5_000,
    });
    expect(await sender.send(`http://127.0.0.1:${port}/`, HEADERS, '{}')).toEqual({
      statusCode: null,
      error: 'must be an https:// URL (http:// only with WEBHOOK_ALLOW_HTTP=1)',
    });
    expect(received).toEqual([]);
  });

  it('does not follow a redirect', async () => {
    answer = (request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
      else response.writeHead(200).end();
    };
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      allowHttp: true,
      timeoutMs: 5_000,
    });
    expect(await sender.send(`http://127.0.0.1:${port}/moved`, HEADERS, '{}')).toEqual({
      statusCode: 302,
      error: null,
    });
    expect(received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('stops reading a large answer after a small cap', async () => {
    // 64 MB that the receiver would stream: the sender hangs up after its first kilobyte.
    let written = 0;
    answer = (_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < 64e6) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.on('close', () => undefined);
      pump();
    };
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      allowHttp: true,
      timeoutMs: 30_000,
    });
    expect(await sender.send(`http://127.0.0.1:${port}/`, HEADERS, '{}')).toEqual({
      statusCode: 500,
      error: null,
    });
    expect(written).toBeLessThan(64e6);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    answer = () => undefined;
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      allowHttp: true,
      timeoutMs: 1_000,
    });
    expect(await sender.send(`http://127.0.0.1:${port}/`, HEADERS, '{}')).toEqual({
      statusCode: null,
      error: 'no answer within 1 s',
    });
  });

  it('reports a refused connection', async () => {
    const closedPort = await refusedPort();
    const sender = new WebhookSender({
      policy: { allowPrivate: true, resolve: resolveTo('127.0.0.1') },
      allowHttp: true,
      timeoutMs: 5_000,
    });
    const result = await sender.send(`http://127.0.0.1:${closedPort}/`, HEADERS, '{}');
    expect(result.statusCode).toBeNull();
    expect(result.error).toContain('ECONNREFUSED');
  });
});

describe('nextAttemptAt', () => {
  const policy = { retryForMs: 24 * 3_600_000 };
  const event = '2024-06-01T00:00:00.000Z';
  const later = (ms: number) => new Date(Date.parse(event) + ms).toISOString();

  it('doubles the wait after each failed attempt, half of it jittered', () => {
    // random 0: half the wait; random → 1: all of it.
    expect(nextAttemptAt(policy, 1, event, event, () => 0)).toBe(later(2_500));
    expect(nextAttemptAt(policy, 1, event, event, () => 0.5)).toBe(later(3_750));
    expect(nextAttemptAt(policy, 2, event, event, () => 0.5)).toBe(later(7_500));
    expect(nextAttemptAt(policy, 5, event, event, () => 0)).toBe(later(40_000));
  });

  it('waits an hour at most', () => {
    expect(nextAttemptAt(policy, 30, event, later(3_600_000), () => 0.999_999)).toBe(
      new Date(Date.parse(event) + 3_600_000 + Math.round(3_600_000 * (0.5 + 0.999_999 / 2))).toISOString(),
    );
  });

  it('schedules the last attempt at the end of the window, and gives up after it', () => {
    const end = policy.retryForMs;
    expect(nextAttemptAt(policy, 20, event, later(end - 60_000), () => 0.5)).toBe(later(end));
    expect(nextAttemptAt(policy, 21, event, later(end), () => 0.5)).toBeNull();
    expect(nextAttemptAt(policy, 21, event, later(end + 5), () => 0.5)).toBeNull();
  });
});
