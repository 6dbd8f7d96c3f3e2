import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, messageOf } from '../errors.ts';
import type { IdempotencyStore, IdempotentResponse } from '../store/store.ts';

export type { IdempotentResponse } from '../store/store.ts';

export interface IdempotentRequestsOptions {
  store: IdempotencyStore;
  /** How long a key keeps its answer (`IDEMPOTENCY_TTL`). */
  ttlMs: number;
  /**
   * A reservation this old without an answer is abandoned (its process died or hung) and the next
   * request with the key does the work. Longer than any create or unload takes.
   * @defaultValue 60 s
   */
  abandonAfterMs?: number;
  /**
   * How long a request waits for another one holding its key to answer before it is told
   * `idempotency_key_in_use`.
   * @defaultValue 10 s
   */
  waitMs?: number;
  /** Time between two sweeps of expired keys. @defaultValue 10 min */
  sweepEveryMs?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  clock?: () => Date;
}

/** A request holding its organisation's key: it does the work, then `finish`es. */
export interface IdempotencyTicket {
  organizationId: string;
  key: string;
  token: string;
}

export type IdempotentStart =
  | { outcome: 'proceed'; ticket: IdempotencyTicket }
  /** The key's first request answered this: give it again without doing the work. */
  | { outcome: 'replay'; response: IdempotentResponse };

/** What a waiting request polls at first; doubled each time up to `MAX_PAUSE_MS`. */
const FIRST_PAUSE_MS = 20;
const MAX_PAUSE_MS = 250;
/** What `idempotency_key_in_use` tells the client to wait before it tries again. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Idempotency-Keys: a request sent again with its key gets the first answer, and of several sent
 * at once exactly one does the work. The key's row in the store is the lock (so it holds across
 * API processes): the request that inserts it does the work, the others wait for its answer.
 *
 * Only successes (2xx) are kept. A 4xx did nothing (the task was not created or not unloaded) and
 * often says "not now" (429, 409 before a task is counted, a folder not there yet), so the key is
 * released and the same request may be sent again with it. A 5xx is never kept either.
 */
export class IdempotentRequests {
  private readonly clock: () => Date;
  private readonly abandonAfterMs: number;
  private readonly waitMs: number;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly options: IdempotentRequestsOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.abandonAfterMs = options.abandonAfterMs ?? 60_000;
    this.waitMs = options.waitMs ?? 10_000;
  }

  /**
   * Takes the organisation's key for the request whose `fingerprint` is given, or answers as its
   * first request did. Waits (polling the store) while another request holds the key.
   * `idempotency_key_reused` when the key was used with another request,
   * `idempotency_key_in_use` when its holder has not answered within the wait.
   */
  async start(organizationId: string, key: string, fingerprint: string): Promise<IdempotentStart> {
    const deadline = this.clock().getTime() + this.waitMs;
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      const now = this.clock();
      const token = randomUUID();
      const reservation = await this.options.store.reserveIdempotencyKey(
        {
          organizationId,
          key,
          fingerprint,
          token,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + this.options.ttlMs).toISOString(),
        },
        new Date(now.getTime() - this.abandonAfterMs).toISOString(),
      );
      if (reservation.outcome === 'reserved') {
        return { outcome: 'proceed', ticket: { organizationId, key, token } };
      }
      if (reservation.outcome === 'taken') {
        const { existing } = reservation;
        if (existing.fingerprint !== fingerprint) throw reused();
        if (existing.response) return { outcome: 'replay', response: existing.response };
      }
      if (now.getTime() >= deadline) throw inUse();
      // A key that changed hands under the look is asked for again at once.
      if (reservation.outcome === 'taken') {
        await sleep(pause);
        pause = Math.min(2 * pause, MAX_PAUSE_MS);
      }
    }
  }

  /**
   * Keeps the answer of a success for the key's later requests; releases the key otherwise (and
   * without an answer that can be kept). Never throws: the answer goes out either way, and a key
   * the store could not settle counts as abandoned after `abandonAfterMs`.
   */
  async finish(ticket: IdempotencyTicket, response: IdempotentResponse | undefined): Promise<void> {
    const { store } = this.options;
    const { organizationId, key, token } = ticket;
    try {
      const kept =
        response && response.status >= 200 && response.status < 300
          ? await store.recordIdempotentResponse(organizationId, key, token, response)
          : await store.releaseIdempotencyKey(organizationId, key, token);
      if (!kept) this.options.log?.('idempotency key taken over before its request answered', { key });
    } catch (error) {
      this.options.log?.('idempotency key could not be settled', { key, error: messageOf(error) });
    }
  }

  /** Deletes expired keys now and every `sweepEveryMs` (a request also replaces an expired key it meets). */
  startSweeping(): void {
    const sweep = async () => {
      try {
        await this.options.store.deleteExpiredIdempotencyKeys(this.clock().toISOString());
      } catch (error) {
        this.options.log?.('expired idempotency keys could not be deleted', { error: messageOf(error) });
      }
    };
    this.sweeping = sweep();
    this.sweeper = setInterval(() => {
      this.sweeping = sweep();
    }, this.options.sweepEveryMs ?? 600_000);
    this.sweeper.unref();
  }

  /** Stops the sweeps; resolves once a running one ended, so the store can be closed. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.sweeping;
  }
}

function reused(): AppError {
  return new AppError(
    'idempotency_key_reused',
    'Idempotency-Key: this key was used with a different request (method, URL or body); use a new key for a new request',
    [{ field: 'Idempotency-Key', message: 'was used with a different request; use a new key' }],
  );
}

function inUse(): AppError {
  return new AppError(
    'idempotency_key_in_use',
    `Idempotency-Key: a request with this key is still running; send it again in ${RETRY_AFTER_SECONDS} s to get its answer`,
    [],
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
