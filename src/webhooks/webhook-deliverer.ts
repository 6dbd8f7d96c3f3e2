import type { ClaimedDelivery, Store, WebhookAttemptResult } from '../store/store.ts';
import type { SendResult } from './webhook-sender.ts';
import { signWebhook } from './webhook-signature.ts';

/** When failed attempts are tried again. */
export interface RetryPolicy {
  /** How long after its event a delivery is tried at most; the last attempt falls at that time. */
  retryForMs: number;
  /** The wait after the first failed attempt, doubling after each. @defaultValue 5 s */
  firstDelayMs?: number;
  /** The longest wait between two attempts. @defaultValue 1 h */
  maxDelayMs?: number;
}

/**
 * When the attempt after the failed attempt `attempt` (from 1) is due: exponential backoff with
 * "equal jitter" (half the wait fixed, half random, so deliverers that failed together spread out),
 * and never later than the end of the retry window, where the last attempt falls. Null once an
 * attempt at or past that end failed: the delivery is given up.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempt: number,
  eventAt: string,
  attemptedAt: string,
  random: () => number,
): string | null {
  const deadline = Date.parse(eventAt) + policy.retryForMs;
  const now = Date.parse(attemptedAt);
  if (now >= deadline) return null;
  const wait = Math.min(policy.maxDelayMs ?? 3_600_000, (policy.firstDelayMs ?? 5_000) * 2 ** (attempt - 1));
  const jittered = wait / 2 + (random() * wait) / 2;
  return new Date(Math.min(now + jittered, deadline)).toISOString();
}

/**
 * The body sent for a stored event: its `manifest_url`, stored as a path, made absolute with the
 * service's public URL. The same URL gives the same bytes, so every attempt sends one body.
 */
export function bodyOf(payload: string, publicUrl: string | undefined): string {
  if (!publicUrl) return payload;
  const event = JSON.parse(payload) as { data?: { manifest_url?: unknown } };
  const link = event.data?.manifest_url;
  if (!event.data || typeof link !== 'string' || !link.startsWith('/')) return payload;
  event.data.manifest_url = publicUrl + link;
  return JSON.stringify(event);
}

export interface WebhookDelivererOptions {
  store: Store;
  /** Sends one attempt (`WebhookSender.send`). */
  send: (url: string, headers: Record<string, string>, body: string) => Promise<SendResult>;
  /** Names this process in the deliveries it leases (the job lease owner does). */
  owner: string;
  retry: RetryPolicy;
  /**
   * How long a claim holds a delivery: longer than an attempt can take, so a live deliverer never
   * loses one it is sending; a dead one's deliveries are taken over after it.
   */
  leaseMs: number;
  /** Time between two looks for due deliveries when the last found none. @defaultValue 1 s */
  pollMs?: number;
  /** Deliveries claimed (and sent at once) per look. @defaultValue 10 */
  batch?: number;
  /**
   * The service's public URL (PUBLIC_URL, else the API's own address), which makes the paths an
   * event's body holds (`manifest_url`) absolute; without one they are sent as paths.
   */
  publicUrl?: () => string | undefined;
  /** Tests move time forward instead of waiting out backoffs. */
  clock?: () => Date;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  random?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Sends the outbox: claims due deliveries from the store under a lease (so no two deliverers, in
 * any number of processes, send one attempt at once), signs and POSTs each, and records the
 * attempt: delivered on a 2xx, else due again after a backoff until the retry window ends, then
 * failed. Deliveries are rows, so they survive restarts; a deliverer that dies mid-attempt leaves
 * the delivery to be taken over when its lease expires, and the next attempt sends the same
 * `webhook-id` and body (a receiver dedupes on the id).
 */
export class WebhookDeliverer {
  private readonly clock: () => Date;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(private readonly options: WebhookDelivererOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops looking and waits for the attempts under way (each ends within its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One look: claims the due deliveries, attempts each, records them; resolves with how many. */
  async deliverDue(): Promise<number> {
    const { store, owner, leaseMs } = this.options;
    const claimed = await store.claimWebhookDeliveries(
      { owner, now: this.clock().toISOString(), leaseMs },
      this.options.batch ?? 10,
    );
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { store, owner, retry, log } = this.options;
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    const body = bodyOf(delivery.payload, this.options.publicUrl?.());
    const sent = await this.options.send(
      delivery.url,
      {
        'webhook-id': delivery.eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(delivery.secret, delivery.eventId, timestamp, body),
      },
      body,
    );
    const attemptedAt = this.clock().toISOString();
    const delivered = sent.statusCode !== null && sent.statusCode >= 200 && sent.statusCode < 300;
    const next = delivered
      ? null
      : nextAttemptAt(retry, delivery.attempt, delivery.createdAt, attemptedAt, this.random);
    const result: WebhookAttemptResult = {
      attempt: delivery.attempt,
      outcome: delivered ? 'delivered' : next === null ? 'failed' : 'retrying',
      statusCode: sent.statusCode,
      error: sent.error ?? (delivered ? null : `the receiver answered ${sent.statusCode}`),
      attemptedAt,
      nextAttemptAt: next,
    };
    const recorded = await store.recordWebhookAttempt(delivery.id, owner, result);
    if (recorded.outcome === 'lease_lost') {
      log?.('webhook delivery lease lost before its attempt was recorded', { delivery: delivery.id });
    } else if (result.outcome === 'failed') {
      log?.('webhook delivery given up', { delivery: delivery.id, webhook: delivery.webhookId });
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.running = this.deliverDue().catch((error) => {
        this.options.log?.('delivering webhooks failed', { error: String(error) });
        return 0;
      });
      void this.running.then((handled) => {
        this.running = undefined;
        // A full batch suggests more are due: look again at once.
        const full = handled >= (this.options.batch ?? 10);
        if (!this.stopped) this.schedule(full ? 0 : (this.options.pollMs ?? 1_000));
      });
    }, ms);
    this.timer.unref();
  }
}
