import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyRecord, IdempotentResponse, Store } from '../../src/store/store.ts';
import { seedOrganization } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const NOW = '2024-06-02T00:00:00.000Z';
const LATER = '2024-06-02T00:00:30.000Z';
const EXPIRES = '2024-06-03T00:00:00.000Z';
/** Reservations older than this are abandoned at LATER (a 60 s bound would put it 60 s before). */
const NOBODY_ABANDONED = '2024-06-01T00:00:00.000Z';

function reservation(
  token: string,
  overrides: Partial<Omit<IdempotencyRecord, 'response'>> = {},
): Omit<IdempotencyRecord, 'response'> {
  return {
    organizationId: 'org-1',
    key: 'key-1',
    fingerprint: 'fp-a',
    token,
    createdAt: NOW,
    expiresAt: EXPIRES,
    ...overrides,
  };
}

const ANSWER: IdempotentResponse = {
  status: 202,
  headers: { 'content-type': 'application/json; charset=utf-8', location: '/api/v1/status/t1' },
  body: '{"task_id":"t1","status":"unloading"}',
};

describe.each(STORE_BACKENDS)('idempotency keys on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    expect(await seedOrganization(store)).toBe(true);
    expect(await seedOrganization(store, { id: 'org-2' }, { id: 'u2', email: 'b@example.com' })).toBe(true);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('reserves a new key once; later calls see the reservation, then the answer its holder recorded', async () => {
    expect(await store.reserveIdempotencyKey(reservation('r1'), NOBODY_ABANDONED)).toEqual({
      outcome: 'reserved',
    });
    const second = reservation('r2', { fingerprint: 'fp-b', createdAt: LATER });
    expect(await store.reserveIdempotencyKey(second, NOBODY_ABANDONED)).toEqual({
      outcome: 'taken',
      existing: { ...reservation('r1'), response: null },
    });

    // Only the holder's token records the answer, and only once.
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'r2', ANSWER)).toBe(false);
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'r1', ANSWER)).toBe(true);
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'r1', { ...ANSWER, status: 500 })).toBe(
      false,
    );
    expect(await store.reserveIdempotencyKey(second, NOBODY_ABANDONED)).toEqual({
      outcome: 'taken',
      existing: { ...reservation('r1'), response: ANSWER },
    });
    // An answered key is not released: it is kept until it expires.
    expect(await store.releaseIdempotencyKey('org-1', 'key-1', 'r1')).toBe(false);
  });

  it('keeps keys per organisation', async () => {
    expect((await store.reserveIdempotencyKey(reservation('r1'), NOBODY_ABANDONED)).outcome).toBe('reserved');
    const theirs = reservation('r2', { organizationId: 'org-2' });
    expect((await store.reserveIdempotencyKey(theirs, NOBODY_ABANDONED)).outcome).toBe('reserved');
    expect(await store.recordIdempotentResponse('org-2', 'key-1', 'r1', ANSWER)).toBe(false);
    expect(await store.recordIdempotentResponse('org-2', 'key-1', 'r2', ANSWER)).toBe(true);
    expect(await store.reserveIdempotencyKey(reservation('r3'), NOBODY_ABANDONED)).toMatchObject({
      outcome: 'taken',
      existing: { organizationId: 'org-1', token: 'r1', response: null },
    });
  });

  it('frees a released key for the next request, and only its holder releases it', async () => {
    await store.reserveIdempotencyKey(reservation('r1'), NOBODY_ABANDONED);
    expect(await store.releaseIdempotencyKey('org-1', 'key-1', 'r2')).toBe(false);
    expect(await store.releaseIdempotencyKey('org-2', 'key-1', 'r1')).toBe(false);
    expect(await store.releaseIdempotencyKey('org-1', 'key-1', 'r1')).toBe(true);
    const next = reservation('r2', { fingerprint: 'fp-b', createdAt: LATER });
    expect(await store.reserveIdempotencyKey(next, NOBODY_ABANDONED)).toEqual({ outcome: 'reserved' });
    expect(await store.reserveIdempotencyKey(reservation('r3'), NOBODY_ABANDONED)).toEqual({
      outcome: 'taken',
      existing: { ...next, response: null },
    });
  });

  it('takes over a reservation abandoned without an answer, never an answered one; the old holder then writes nothing', async () => {
    await store.reserveIdempotencyKey(reservation('r1'), NOBODY_ABANDONED);
    // At LATER, a reservation made before NOW + 1 ms counts as abandoned.
    const abandonedBefore = '2024-06-02T00:00:00.001Z';
    const takeover = reservation('r2', { fingerprint: 'fp-b', createdAt: LATER });
    expect(await store.reserveIdempotencyKey(takeover, abandonedBefore)).toEqual({ outcome: 'reserved' });
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'r1', ANSWER)).toBe(false);
    expect(await store.releaseIdempotencyKey('org-1', 'key-1', 'r1')).toBe(false);
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'r2', ANSWER)).toBe(true);

    // Answered: however old, it is kept until it expires.
    const third = reservation('r3', { createdAt: '2024-06-02T12:00:00.000Z' });
    expect(await store.reserveIdempotencyKey(third, '2024-06-02T11:59:00.000Z')).toEqual({
      outcome: 'taken',
      existing: { ...takeover, response: ANSWER },
    });
  });

  it('takes over an expired key, answered or not, and deletes expired keys in a sweep', async () => {
    await store.reserveIdempotencyKey(reservation('r1'), NOBODY_ABANDONED);
    await store.recordIdempotentResponse('org-1', 'key-1', 'r1', ANSWER);
    await store.reserveIdempotencyKey(
      reservation('r2', { key: 'key-2', expiresAt: '2024-06-04T00:00:00.000Z' }),
      NOBODY_ABANDONED,
    );
    await store.reserveIdempotencyKey(reservation('r3', { organizationId: 'org-2' }), NOBODY_ABANDONED);

    const afterExpiry = reservation('r4', {
      fingerprint: 'fp-b',
      createdAt: EXPIRES,
      expiresAt: '2024-06-05T00:00:00.000Z',
    });
    expect(await store.reserveIdempotencyKey(afterExpiry, NOBODY_ABANDONED)).toEqual({
      outcome: 'reserved',
    });
    // The sweep at EXPIRES: org-2's key-1 expired; org-1's key-1 was renewed, key-2 lives on.
    expect(await store.deleteExpiredIdempotencyKeys(EXPIRES)).toBe(1);
    expect(await store.deleteExpiredIdempotencyKeys(EXPIRES)).toBe(0);
    const probe = (organizationId: string, key: string) =>
      store.reserveIdempotencyKey(
        reservation('probe', { organizationId, key, createdAt: EXPIRES }),
        NOBODY_ABANDONED,
      );
    expect(await probe('org-1', 'key-1')).toMatchObject({ outcome: 'taken', existing: { token: 'r4' } });
    expect(await probe('org-1', 'key-2')).toMatchObject({ outcome: 'taken', existing: { token: 'r2' } });
    expect(await probe('org-2', 'key-1')).toEqual({ outcome: 'reserved' });
    expect(await store.deleteExpiredIdempotencyKeys('2024-06-05T00:00:00.000Z')).toBe(3);
  });

  it('gives one key to exactly one of 20 concurrent reservations; the others see the winner', async () => {
    const tokens = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const answers = await Promise.all(
      tokens.map((token) => store.reserveIdempotencyKey(reservation(token), NOBODY_ABANDONED)),
    );
    const winners = tokens.filter((_, i) => answers[i]!.outcome === 'reserved');
    expect(winners).toHaveLength(1);
    for (const answer of answers.filter((a) => a.outcome !== 'reserved')) {
      expect(answer).toEqual({
        outcome: 'taken',
        existing: { ...reservation(winners[0]!), response: null },
      });
    }
  });

  it('gives an abandoned key to exactly one of 20 concurrent takeovers', async () => {
    await store.reserveIdempotencyKey(reservation('old'), NOBODY_ABANDONED);
    const tokens = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const answers = await Promise.all(
      tokens.map((token) =>
        store.reserveIdempotencyKey(reservation(token, { createdAt: LATER }), '2024-06-02T00:00:01.000Z'),
      ),
    );
    const winners = tokens.filter((_, i) => answers[i]!.outcome === 'reserved');
    expect(winners).toHaveLength(1);
    // A loser saw the new holder, or saw the key change hands under it (then it asks again).
    for (const answer of answers.filter((a) => a.outcome !== 'reserved')) {
      if (answer.outcome === 'taken') expect(answer.existing.token).toBe(winners[0]);
      else expect(answer).toEqual({ outcome: 'raced' });
    }
    expect(await store.recordIdempotentResponse('org-1', 'key-1', 'old', ANSWER)).toBe(false);
    expect(await store.recordIdempotentResponse('org-1', 'key-1', winners[0]!, ANSWER)).toBe(true);
  });
});
