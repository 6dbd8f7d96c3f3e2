import type { TaskEventType } from '../contract/webhook-schemas.ts';
import type { LeaseLost, LeaseRequest } from './job-records.ts';

/**
 * Lifecycle events a webhook can subscribe to, as the API names them. The store records one in the
 * transaction of the status change that causes it (`task.cancelled` for the `cancelled` status).
 */
export type { TaskEventType } from '../contract/webhook-schemas.ts';

export interface WebhookRecord {
  id: string;
  organizationId: string;
  url: string;
  events: TaskEventType[];
  /** `whsec_` and the base64 signing key. */
  secret: string;
  createdAt: string;
}

/** Whether `insertWebhook` stored the webhook; when not, how many the organisation has. */
export type WebhookAdmission = { admitted: true } | { admitted: false; count: number };

/** `pending` until an attempt gets a 2xx (`delivered`) or the retries are spent (`failed`). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** What one attempt led to: delivered, another attempt scheduled, or given up. */
export type WebhookAttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** A delivery leased to one deliverer for one attempt (`claimWebhookDeliveries`). */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  url: string;
  secret: string;
  /** The `webhook-id` header: the same for every attempt. */
  eventId: string;
  eventType: TaskEventType;
  taskId: string;
  /** The frozen body, sent as it is. */
  payload: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /** When the event was recorded: retries end a configured time after it. */
  createdAt: string;
}

/** The result of one attempt, as the deliverer records it. */
export interface WebhookAttemptResult {
  attempt: number;
  outcome: WebhookAttemptOutcome;
  /** The receiver's HTTP status; null when no answer came (network error, timeout, refused address). */
  statusCode: number | null;
  error: string | null;
  attemptedAt: string;
  /** When the next attempt is due (`retrying`); null otherwise. */
  nextAttemptAt: string | null;
}

/** One attempt in a webhook's delivery log. */
export interface WebhookAttemptRecord extends WebhookAttemptResult {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: TaskEventType;
  taskId: string;
}

/** Where a page of the delivery log starts: after this attempt (newest first). */
export interface AttemptCursor {
  attemptedAt: string;
  id: string;
}

/** Webhooks and their delivery outbox, sent by leased workers. */
export interface WebhookStore {
  /**
   * Stores the webhook while its organisation has fewer than `maxPerOrganization`, checked and
   * inserted atomically (as `insertTask` does its cap); a refused webhook writes nothing.
   */
  insertWebhook(webhook: WebhookRecord, maxPerOrganization: number): Promise<WebhookAdmission>;

  /** The organisation's webhooks, oldest first, with their secrets (the caller decides what to show). */
  listWebhooks(organizationId: string): Promise<WebhookRecord[]>;

  /** The organisation's webhook; undefined for an unknown id or another organisation's. */
  findWebhook(organizationId: string, webhookId: string): Promise<WebhookRecord | undefined>;

  /**
   * Deletes the organisation's webhook with its deliveries (pending ones are never sent) and their
   * log; false for an unknown id or another organisation's.
   */
  deleteWebhook(organizationId: string, webhookId: string): Promise<boolean>;

  /** A page of the webhook's attempts, newest first (`attemptedAt`, then `id`), after the cursor. */
  listWebhookAttempts(
    webhookId: string,
    limit: number,
    after?: AttemptCursor,
  ): Promise<WebhookAttemptRecord[]>;

  /**
   * Leases up to `limit` pending deliveries due at `now` to `owner` until `now + leaseMs`, counts
   * one more attempt on each, and returns them, oldest due first. A delivery under another live
   * lease is never returned: of concurrent claims (any number of processes), each delivery goes to
   * one (PostgreSQL skips rows another claim has locked; SQLite runs one writer at a time). A
   * lease that expired (its deliverer died mid-attempt) is taken over.
   */
  claimWebhookDeliveries(lease: LeaseRequest, limit: number): Promise<ClaimedDelivery[]>;

  /**
   * Records the owner's attempt and moves the delivery on (`delivered`, due again at
   * `nextAttemptAt`, or `failed`), releasing the lease, in one transaction. `lease_lost` (and
   * nothing written) when the delivery is no longer pending under `owner`'s lease.
   */
  recordWebhookAttempt(
    deliveryId: string,
    owner: string,
    result: WebhookAttemptResult,
  ): Promise<{ outcome: 'recorded' } | LeaseLost>;

  /**
   * Releases the delivery leases of every owner but `owner`: like `releaseOtherLeases`, only for
   * the embedded mode's single worker, whose previous run died holding them. The deliveries are
   * due again at once.
   */
  releaseOtherWebhookLeases(owner: string): Promise<number>;
}
