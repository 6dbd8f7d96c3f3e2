/** An answer to a request sent with an Idempotency-Key, kept to be given again. */
export interface IdempotentResponse {
  status: number;
  /** The headers worth repeating (content type, location), by lower-case name. */
  headers: Record<string, string>;
  body: string;
}

/** An organisation's Idempotency-Key: the request it was first used with and, later, its answer. */
export interface IdempotencyRecord {
  organizationId: string;
  /** As the client sent it. */
  key: string;
  /** SHA-256 of the request (method, URL, canonical body) the key was first used with. */
  fingerprint: string;
  /** Names the request holding the key: only it may record the answer or release the key. */
  token: string;
  /** When that request reserved the key. */
  createdAt: string;
  expiresAt: string;
  /** Null while the request holding the key runs. */
  response: IdempotentResponse | null;
}

export type IdempotencyReservation =
  /** The caller holds the key: it does the work, then records its answer or releases the key. */
  | { outcome: 'reserved' }
  /** Another request holds the key, or answered with it. */
  | { outcome: 'taken'; existing: IdempotencyRecord }
  /** The key changed hands while the call looked at it (released, or taken over): call again. */
  | { outcome: 'raced' };

/**
 * Every method is safe to call concurrently. Methods that change several rows do it in one
 * transaction, so a process that dies midway leaves the previous state; the job moves
 * (`claimJob` … `startUnload`) check the job's and task's status inside that transaction, which
 * makes a repeated or stale call a no-op: the queue delivers at least once.
 *
 * A running job is leased to one worker (`claimJob`): the lease names its owner and expiry, the
 * worker renews it while the job runs, and only the owner can record the job's outcome. Another
 * worker may take a job over only once its lease has expired; an expired lease that nobody took
 * over still belongs to its owner. Every lease check is one conditional `UPDATE` (or happens under
 * the job's row lock), so it holds with many processes on one PostgreSQL database.
 */

/** Idempotency keys: the first answer of a request, replayed for its retries. */
export interface IdempotencyStore {
  /**
   * Reserves the organisation's key for the request `reservation` describes (its `createdAt` is
   * now). The row is inserted first and the unique (organisation, key) decides: of concurrent
   * calls for one key, from any number of processes, exactly one is `reserved`. A key that expired,
   * or that a request reserved before `abandonedBefore` and never answered (it crashed or hung), is
   * taken over by one conditional update, which again only one caller wins. Otherwise `taken`,
   * with the key as it stands.
   */
  reserveIdempotencyKey(
    reservation: Omit<IdempotencyRecord, 'response'>,
    abandonedBefore: string,
  ): Promise<IdempotencyReservation>;

  /**
   * Stores the answer of the request holding the key (`token`); false, and nothing written, when
   * the key is no longer its own (taken over as abandoned) or already answered.
   */
  recordIdempotentResponse(
    organizationId: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean>;

  /**
   * Frees the key of a request that gave no answer worth keeping, so the next request with it
   * does the work; false when the key is no longer `token`'s or already answered.
   */
  releaseIdempotencyKey(organizationId: string, key: string, token: string): Promise<boolean>;

  /** Deletes every key that expired at `now`, answered or not; how many. */
  deleteExpiredIdempotencyKeys(now: string): Promise<number>;
}
