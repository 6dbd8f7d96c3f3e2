import { networkError } from './audiences-error.ts';

/** How hard idempotent calls are retried. */
export interface RetryOptions {
  /** Tries in all, the first included. @defaultValue 4 */
  attempts?: number;
  /** The backoff's base: attempt n waits a random time below `baseDelayMs * 2^(n-1)`. @defaultValue 250 */
  baseDelayMs?: number;
  /** The most one backoff waits (a `Retry-After` from the server is honoured as it is). @defaultValue 8000 */
  maxDelayMs?: number;
}

/**
 * What a call may be retried on. `idempotent`: GET, DELETE and POSTs that carry an
 * `Idempotency-Key`: network errors, 429, 5xx (and 409 `idempotency_key_in_use`). `refused`: a
 * POST the server would do twice, retried only when it answered 429 (it did nothing). `never`:
 * login and register (a throttled login must not be hammered; a 5xx may have registered the user).
 */
export type RetryMode = 'idempotent' | 'refused' | 'never';

export interface RetryContext {
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  retry: Required<RetryOptions>;
  now: () => number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8000 };

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends `request` (a fresh clone each try, so its body can be sent again) and retries it as `mode`
 * allows, with exponential backoff and full jitter, or as long as the answer's `Retry-After` says.
 * The answer of the last try is returned whatever its status; a network error after the last try
 * becomes an `AudiencesError` (`network_error`); an abort rejects with the signal's reason.
 */
export async function sendWithRetries(
  request: Request,
  mode: RetryMode,
  context: RetryContext,
  signal?: AbortSignal,
): Promise<Response> {
  const attempts = mode === 'never' ? 1 : Math.max(1, context.retry.attempts);
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= attempts;
    let response: Response;
    try {
      response = await context.fetch(request.clone());
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (last || mode !== 'idempotent') throw networkError(error, request.url);
      await context.sleep(backoff(attempt, context), signal);
      continue;
    }
    if (last || !(await retryable(response, mode))) return response;
    const wait =
      retryAfterMs(response.headers.get('retry-after'), context.now()) ?? backoff(attempt, context);
    // Free the connection before waiting.
    await response.body?.cancel().catch(() => undefined);
    await context.sleep(wait, signal);
  }
}

async function retryable(response: Response, mode: RetryMode): Promise<boolean> {
  if (response.status === 429) return mode !== 'never';
  if (mode !== 'idempotent') return false;
  if (response.status >= 500) return true;
  if (response.status !== 409) return false;
  // The same key's first request is still running: the retry gets its answer.
  const problem = await response
    .clone()
    .json()
    .catch(() => null);
  return problem?.code === 'idempotency_key_in_use';
}

/** Full jitter: a random wait below the exponential ceiling (AWS architecture blog, "Exponential Backoff And Jitter"). */
function backoff(attempt: number, { random, retry }: RetryContext): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or invalid. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
