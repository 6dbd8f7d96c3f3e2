import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from './live-tasks.ts';
import { lockOrganization } from './organization-lock.ts';
import type { Database, WebhookTable } from './schema.ts';
import type {
  AttemptCursor,
  ClaimedDelivery,
  LeaseLost,
  LeaseRequest,
  TaskEventType,
  WebhookAdmission,
  WebhookAttemptRecord,
  WebhookAttemptResult,
  WebhookRecord,
} from './store.ts';
import { LEASE_LOST } from './transitions/held-job.ts';

/**
 * Webhooks and their outbox (`webhook_deliveries`, written by `task-events.ts` in the transaction
 * of a task's status change), leased to deliverers the way jobs are leased to workers: a claim is
 * one conditional `UPDATE`, and only the owner of a lease records the attempt it made.
 */
export class WebhookQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insertWebhook(webhook: WebhookRecord, maxPerOrganization: number): Promise<WebhookAdmission> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrganization(trx, this.dialect, webhook.organizationId);
      const row = await trx
        .selectFrom('webhooks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organizationId', '=', webhook.organizationId)
        .executeTakeFirstOrThrow();
      const count = Number(row.n);
      if (count >= maxPerOrganization) return { admitted: false, count };
      await trx
        .insertInto('webhooks')
        .values({ ...webhook, events: JSON.stringify(webhook.events) })
        .execute();
      return { admitted: true };
    });
  }

  async listWebhooks(organizationId: string): Promise<WebhookRecord[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  async findWebhook(organizationId: string, webhookId: string): Promise<WebhookRecord | undefined> {
    const row = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', webhookId)
      .where('organizationId', '=', organizationId)
      .executeTakeFirst();
    return row && toWebhook(row);
  }

  async deleteWebhook(organizationId: string, webhookId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const owned = await trx
        .selectFrom('webhooks')
        .select('id')
        .where('id', '=', webhookId)
        .where('organizationId', '=', organizationId)
        .executeTakeFirst();
      if (!owned) return false;
      // Explicit rather than left to ON DELETE CASCADE, which SQLite honours only with foreign keys on.
      const deliveries = trx.selectFrom('webhookDeliveries').select('id').where('webhookId', '=', webhookId);
      await trx.deleteFrom('webhookAttempts').where('deliveryId', 'in', deliveries).execute();
      await trx.deleteFrom('webhookDeliveries').where('webhookId', '=', webhookId).execute();
      await trx.deleteFrom('webhooks').where('id', '=', webhookId).execute();
      return true;
    });
  }

  async listWebhookAttempts(
    webhookId: string,
    limit: number,
    after?: AttemptCursor,
  ): Promise<WebhookAttemptRecord[]> {
    let query = this.db
      .selectFrom('webhookAttempts')
      .innerJoin('webhookDeliveries', 'webhookDeliveries.id', 'webhookAttempts.deliveryId')
      .select([
        'webhookAttempts.id',
        'webhookAttempts.deliveryId',
        'webhookAttempts.attempt',
        'webhookAttempts.outcome',
        'webhookAttempts.statusCode',
        'webhookAttempts.error',
        'webhookAttempts.attemptedAt',
        'webhookAttempts.nextAttemptAt',
        'webhookDeliveries.eventId',
        'webhookDeliveries.eventType',
        'webhookDeliveries.taskId',
      ])
      .where('webhookAttempts.webhookId', '=', webhookId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('webhookAttempts.attemptedAt', '<', after.attemptedAt),
          eb.and([
            eb('webhookAttempts.attemptedAt', '=', after.attemptedAt),
            eb('webhookAttempts.id', '<', after.id),
          ]),
        ]),
      );
    }
    return query
      .orderBy('webhookAttempts.attemptedAt', 'desc')
      .orderBy('webhookAttempts.id', 'desc')
      .limit(limit)
      .execute();
  }

  async claimWebhookDeliveries(
    { owner, now, leaseMs }: LeaseRequest,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    const leaseExpiresAt = new Date(Date.parse(now) + leaseMs).toISOString();
    const claimed = await this.db.transaction().execute(async (trx) => {
      const due = trx
        .selectFrom('webhookDeliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('nextAttemptAt', '<=', now)
        .where((eb) => eb.or([eb('leaseExpiresAt', 'is', null), eb('leaseExpiresAt', '<=', now)]))
        .orderBy('nextAttemptAt')
        .limit(limit);
      // PostgreSQL: concurrent claims skip the rows another one locked instead of queueing behind it.
      const ids = (await (this.dialect === 'postgres' ? due.forUpdate().skipLocked() : due).execute()).map(
        (row) => row.id,
      );
      if (ids.length === 0) return [];
      // The update repeats the conditions: under SQLite's single writer, or on rows PostgreSQL locked
      // for this transaction, they still hold; they make the claim safe on its own all the same.
      return trx
        .updateTable('webhookDeliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          leaseOwner: owner,
          leaseExpiresAt,
          updatedAt: now,
        }))
        .where('id', 'in', ids)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('leaseExpiresAt', 'is', null), eb('leaseExpiresAt', '<=', now)]))
        .returning(['id', 'attempts'])
        .execute();
    });
    if (claimed.length === 0) return [];
    const attempts = new Map(claimed.map((row) => [row.id, row.attempts]));
    const rows = await this.db
      .selectFrom('webhookDeliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhookDeliveries.webhookId')
      .select([
        'webhookDeliveries.id',
        'webhookDeliveries.webhookId',
        'webhooks.url',
        'webhooks.secret',
        'webhookDeliveries.eventId',
        'webhookDeliveries.eventType',
        'webhookDeliveries.taskId',
        'webhookDeliveries.payload',
        'webhookDeliveries.createdAt',
        'webhookDeliveries.nextAttemptAt',
      ])
      .where('webhookDeliveries.id', 'in', [...attempts.keys()])
      .orderBy('webhookDeliveries.nextAttemptAt')
      .execute();
    // A webhook deleted since the claim took its deliveries with it: they are simply not returned.
    return rows.map(({ nextAttemptAt: _due, ...row }) => ({ ...row, attempt: attempts.get(row.id)! }));
  }

  async recordWebhookAttempt(
    deliveryId: string,
    owner: string,
    result: WebhookAttemptResult,
  ): Promise<{ outcome: 'recorded' } | LeaseLost> {
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('webhookDeliveries')
        .set({
          status: result.outcome === 'retrying' ? 'pending' : result.outcome,
          nextAttemptAt: result.outcome === 'retrying' ? result.nextAttemptAt : null,
          leaseOwner: null,
          leaseExpiresAt: null,
          updatedAt: result.attemptedAt,
        })
        .where('id', '=', deliveryId)
        .where('status', '=', 'pending')
        .where('leaseOwner', '=', owner)
        .returning('webhookId')
        .executeTakeFirst();
      if (!moved) return LEASE_LOST;
      await trx
        .insertInto('webhookAttempts')
        .values({ id: randomUUID(), deliveryId, webhookId: moved.webhookId, ...result })
        .execute();
      return { outcome: 'recorded' as const };
    });
  }

  async releaseOtherWebhookLeases(owner: string): Promise<number> {
    const result = await this.db
      .updateTable('webhookDeliveries')
      .set({ leaseOwner: null, leaseExpiresAt: null })
      .where('status', '=', 'pending')
      .where('leaseOwner', 'is not', null)
      .where('leaseOwner', '!=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toWebhook(row: Selectable<WebhookTable>): WebhookRecord {
  return { ...row, events: JSON.parse(row.events) as TaskEventType[] };
}
