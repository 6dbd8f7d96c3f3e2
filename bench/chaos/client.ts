import { sleep } from '../stats.ts';
import type { Random } from './random.ts';

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are loose JSON, checked where they are used
  body: any;
  /** The API that answered. */
  url: string;
  /**
   * Whether an earlier attempt failed after it may have reached a server (a connection cut or a
   * timeout): a create retried after that may have created a task whose id never came back.
   */
  uncertain: boolean;
}

/** What the clients saw: requests, and why they were retried. */
export interface ClientStats {
  requests: number;
  /** Connection refused or cut (a killed API), or no answer in time. */
  networkRetries: number;
  /** 5xx answers. */
  serverRetries: number;
  /** 429 answers (rate limit or the cap on tasks in progress), retried after `Retry-After`. */
  throttledRetries: number;
}

export function newClientStats(): ClientStats {
  return { requests: 0, networkRetries: 0, serverRetries: 0, throttledRetries: 0 };
}

/** A call that got no usable answer before the client's deadline. */
export class GaveUp extends Error {}

/**
 * A client of the deployment, the way a careful integration behaves: each attempt goes to any of
 * the APIs (a load balancer's choice), and connection errors, timeouts, 5xx and 429 are retried with
 * backoff until the deadline. Any other answer is returned as it is.
 */
export class ChaosClient {
  constructor(
    private readonly urls: readonly string[],
    private readonly rng: Random,
    readonly stats: ClientStats,
    /** Epoch ms after which a call gives up. */
    private readonly deadline: number,
  ) {}

  async call(
    method: string,
    pathname: string,
    options: { apiKey: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<Reply> {
    let uncertain = false;
    let lastProblem = '';
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > this.deadline) {
        throw new GaveUp(`${method} ${pathname}: no answer before the deadline (last: ${lastProblem})`);
      }
      const url = this.rng.pick(this.urls);
      const headers: Record<string, string> = { 'x-api-key': options.apiKey, ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      this.stats.requests += 1;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url + pathname, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        text = await response.text();
      } catch (error) {
        // Refused (nothing listens: the process is restarting) never reached a server; a cut or a
        // timeout may have.
        const refused = String((error as { cause?: unknown }).cause ?? error).includes('ECONNREFUSED');
        if (!refused) uncertain = true;
        this.stats.networkRetries += 1;
        lastProblem = String((error as { cause?: unknown }).cause ?? error);
        await this.backoff(attempt);
        continue;
      }
      if (response.status >= 500) {
        this.stats.serverRetries += 1;
        lastProblem = `${response.status} ${text.slice(0, 200)}`;
        await this.backoff(attempt);
        continue;
      }
      if (response.status === 429) {
        this.stats.throttledRetries += 1;
        lastProblem = `429 ${text.slice(0, 200)}`;
        const after = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : 1000);
        continue;
      }
      const json = (response.headers.get('content-type') ?? '').includes('json') && text;
      return {
        status: response.status,
        headers: response.headers,
        body: json ? JSON.parse(text) : text,
        url,
        uncertain,
      };
    }
  }

  private backoff(attempt: number): Promise<void> {
    const base = Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));
    return sleep(base / 2 + this.rng.next() * base);
  }
}
