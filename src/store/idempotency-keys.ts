import type { Kysely, Selectable } from 'kysely';
import type { Database, IdempotencyKeyTable } from './schema.ts';
import type { IdempotencyRecord, IdempotencyReservation, IdempotentResponse } from './store.ts';

/**
 * Idempotency-Keys of organisations. Every decision is one statement whose `WHERE` names the state
 * it expects (the key free, or held by the token that was seen): PostgreSQL re-checks it on a row a
 * concurrent statement just committed, and SQLite runs one writer at a time, so of several API
 * processes racing for one key exactly one wins.
 */
export class IdempotencyKeys {
  constructor(private readonly db: Kysely<Database>) {}

  async reserve(
    reservation: Omit<IdempotencyRecord, 'response'>,
    abandonedBefore: string,
  ): Promise<IdempotencyReservation> {
    const { organizationId, key, createdAt: now } = reservation;
    const inserted = await this.db
      .insertInto('idempotencyKeys')
      .values({ ...reservation, responseStatus: null, responseHeaders: null, responseBody: null })
      .onConflict((conflict) => conflict.columns(['organizationId', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { outcome: 'reserved' };

    const seen = await this.db
      .selectFrom('idempotencyKeys')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .where('key', '=', key)
      .executeTakeFirst();
    // Released between the insert and the read: the key is free again.
    if (!seen) return { outcome: 'raced' };
    const free = seen.expiresAt <= now || (seen.responseStatus === null && seen.createdAt < abandonedBefore);
    if (!free) return { outcome: 'taken', existing: toRecord(seen) };
    // Taken over only while it still is the reservation seen: of concurrent takeovers, one matches.
    const replaced = await this.db
      .updateTable('idempotencyKeys')
      .set({
        fingerprint: reservation.fingerprint,
        token: reservation.token,
        createdAt: now,
        expiresAt: reservation.expiresAt,
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
      })
      .where('organizationId', '=', organizationId)
      .where('key', '=', key)
      .where('token', '=', seen.token)
      .executeTakeFirst();
    return Number(replaced.numUpdatedRows) > 0 ? { outcome: 'reserved' } : { outcome: 'raced' };
  }

  async record(
    organizationId: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotencyKeys')
      .set({
        responseStatus: response.status,
        responseHeaders: JSON.stringify(response.headers),
        responseBody: response.body,
      })
      .where('organizationId', '=', organizationId)
      .where('key', '=', key)
      .where('token', '=', token)
      .where('responseStatus', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async release(organizationId: string, key: string, token: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('idempotencyKeys')
      .where('organizationId', '=', organizationId)
      .where('key', '=', key)
      .where('token', '=', token)
      .where('responseStatus', 'is', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteExpired(now: string): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotencyKeys')
      .where('expiresAt', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRecord(row: Selectable<IdempotencyKeyTable>): IdempotencyRecord {
  const { responseStatus, responseHeaders, responseBody, ...rest } = row;
  return {
    ...rest,
    response:
      responseStatus === null
        ? null
        : {
            status: responseStatus,
            headers: JSON.parse(responseHeaders ?? '{}') as Record<string, string>,
            body: responseBody ?? '',
          },
  };
}
