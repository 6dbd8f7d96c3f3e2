import { randomUUID } from 'node:crypto';
import type { Principal } from '../accounts/account-service.ts';
import type {
  DeliveryAttempt,
  TaskEventType,
  WebhookCreatedReply,
  WebhookDeliveries,
  WebhookView,
} from '../contract/webhook-schemas.ts';
import { AppError, invalidField } from '../errors.ts';
import type { Store, WebhookAttemptRecord, WebhookRecord } from '../store/store.ts';
import { decodeCursor, encodeCursor } from '../tasks/task-cursor.ts';
import { type AddressPolicy, AddressRefused, checkedAddress } from './address-guard.ts';
import { checkScheme } from './webhook-sender.ts';
import { newWebhookSecret } from './webhook-signature.ts';

/** Webhooks one organisation may have. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

export interface WebhookServiceOptions {
  store: Store;
  /** How URLs are checked at creation: the deliverer checks them again at each attempt. */
  policy: AddressPolicy;
  allowHttp: boolean;
  clock?: () => Date;
}

/** Creating, listing and removing an organisation's webhooks, and reading their delivery log. */
export class WebhookService {
  private readonly clock: () => Date;

  constructor(private readonly options: WebhookServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** The new webhook with its signing secret, which is shown this once. */
  async create(principal: Principal, url: string, events: TaskEventType[]): Promise<WebhookCreatedReply> {
    await this.checkUrl(url);
    const webhook: WebhookRecord = {
      id: randomUUID(),
      organizationId: principal.organizationId,
      url,
      // The contract's event names go into the store's here, and come back in `viewOf`: the two
      // lists must name the same events, or this file does not compile.
      events,
      secret: newWebhookSecret(),
      createdAt: this.clock().toISOString(),
    };
    const admission = await this.options.store.insertWebhook(webhook, MAX_WEBHOOKS_PER_ORGANIZATION);
    if (!admission.admitted) {
      throw new AppError(
        'too_many_webhooks',
        `the organisation has ${admission.count} webhooks, the most it may have; delete one first`,
      );
    }
    return { ...viewOf(webhook), secret: webhook.secret };
  }

  async list(principal: Principal): Promise<WebhookView[]> {
    return (await this.options.store.listWebhooks(principal.organizationId)).map(viewOf);
  }

  async delete(principal: Principal, webhookId: string): Promise<void> {
    if (!(await this.options.store.deleteWebhook(principal.organizationId, webhookId)))
      throw notFound(webhookId);
  }

  /** A page of the webhook's attempts, newest first. */
  async deliveries(
    principal: Principal,
    webhookId: string,
    limit: number,
    cursor?: string,
  ): Promise<WebhookDeliveries> {
    const { store } = this.options;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (!(await store.findWebhook(principal.organizationId, webhookId))) throw notFound(webhookId);
    const attempts = await store.listWebhookAttempts(
      webhookId,
      limit + 1,
      after && { attemptedAt: after.createdAt, id: after.id },
    );
    const page = attempts.slice(0, limit);
    const last = page.at(-1);
    return {
      deliveries: page.map(attemptView),
      next_cursor:
        attempts.length > limit && last ? encodeCursor({ createdAt: last.attemptedAt, id: last.id }) : null,
    };
  }

  /**
   * A 400 naming `url` unless it is an absolute `https:` URL (or `http:` where allowed), without
   * credentials, whose host resolves to public addresses only (unless private ones are allowed).
   */
  private async checkUrl(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidField(
        'url',
        `"${url}" is not an absolute URL; send e.g. https://hooks.example.com/audiences`,
      );
    }
    const schemeError = checkScheme(parsed, this.options.allowHttp);
    if (schemeError) throw refused(schemeError);
    if (parsed.username || parsed.password) {
      throw invalidField('url', 'must not carry credentials (user:password@); verify the signature instead');
    }
    try {
      await checkedAddress(parsed.hostname.replace(/^\[(.*)\]$/, '$1'), this.options.policy);
    } catch (error) {
      if (error instanceof AddressRefused) throw refused(error.message);
      throw error;
    }
  }
}

function refused(message: string): AppError {
  return new AppError('webhook_url_refused', `url: ${message}`, [{ field: 'url', message }]);
}

function notFound(webhookId: string): AppError {
  return new AppError('webhook_not_found', `no webhook ${webhookId} in your organisation`);
}

function viewOf(webhook: WebhookRecord): WebhookView {
  return { id: webhook.id, url: webhook.url, events: webhook.events, created_at: webhook.createdAt };
}

function attemptView(attempt: WebhookAttemptRecord): DeliveryAttempt {
  return {
    id: attempt.id,
    event: attempt.eventType,
    event_id: attempt.eventId,
    task_id: attempt.taskId,
    attempt: attempt.attempt,
    outcome: attempt.outcome,
    status_code: attempt.statusCode,
    error: attempt.error,
    attempted_at: attempt.attemptedAt,
    next_attempt_at: attempt.nextAttemptAt,
  };
}
