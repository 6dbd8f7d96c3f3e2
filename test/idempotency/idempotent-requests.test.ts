import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import {
  type IdempotencyTicket,
  IdempotentRequests,
  type IdempotentRequestsOptions,
  type IdempotentStart,
} from '../../src/idempotency/idempotent-requests.ts';
import type { Store } from '../../src/store/store.ts';
import { type OpenedStore, STORE_BACKENDS } from '../store/store-backends.ts';
import { seedOrganization } from '../support/store-records.ts';

/**
 * The rules behind `Idempotency-Key`, over a real store: who does the work, who waits, what is
 * replayed, and when a key is free again. Time is a clock the test moves.
 */
const ORG = 'org-1';
const TTL_MS = 24 * 3_600_000;
const ANSWER = { status: 202, headers: { location: '/api/v1/status/t1' }, body: '{"task_id":"t1"}' };

describe.each(STORE_BACKENDS)('idempotent requests on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;
  let now: Date;
  const clock = () => now;
  const requests = (options: Partial<IdempotentRequestsOptions> = {}) =>
    new IdempotentRequests({ store, ttlMs: TTL_MS, clock, waitMs: 2_000, ...options });
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    now = new Date('2024-06-02T00:00:00.000Z');
    expect(await seedOrganization(store)).toBe(true);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  function ticketOf(started: IdempotentStart): IdempotencyTicket {
    if (started.outcome !== 'proceed') throw new Error(`expected to proceed, got ${started.outcome}`);
    return started.ticket;
  }

  it('lets the first request proceed and replays its success to the next ones', async () => {
    const keys = requests();
    const first = ticketOf(await keys.start(ORG, 'k', 'fp'));
    await keys.finish(first, ANSWER);
    advance(TTL_MS - 1);
    expect(await keys.start(ORG, 'k', 'fp')).toEqual({ outcome: 'replay', response: ANSWER });
  });

  it('makes a waiting request replay the answer its holder gives meanwhile', async () => {
    const keys = requests();
    const holder = ticketOf(await keys.start(ORG, 'k', 'fp'));
    const waiting = keys.start(ORG, 'k', 'fp');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await keys.finish(holder, ANSWER);
    expect(await waiting).toEqual({ outcome: 'replay', response: ANSWER });
  });

  it('lets a waiting request do the work itself when its holder fails (4xx, 5xx or no answer)', async () => {
    const keys = requests();
    for (const failure of [{ ...ANSWER, status: 400 }, { ...ANSWER, status: 503 }, undefined]) {
      const holder = ticketOf(await keys.start(ORG, 'k', 'fp'));
      const waiting = keys.start(ORG, 'k', 'fp');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await keys.finish(holder, failure);
      const next = ticketOf(await waiting);
      expect(next.token).not.toBe(holder.token);
      await keys.finish(next, { ...ANSWER, status: 400 });
    }
  });

  it('answers 409 idempotency_key_in_use with Retry-After when the holder runs past the wait', async () => {
    const keys = requests({ waitMs: 0 });
    ticketOf(await keys.start(ORG, 'k', 'fp'));
    const refused = await keys.start(ORG, 'k', 'fp').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'idempotency_key_in_use',
      status: 409,
      headers: { 'retry-after': '2' },
    });
    expect((refused as AppError).message).toMatch(/still running; send it again in 2 s/);
  });

  it('answers 422 idempotency_key_reused for another request, held or answered, until the key expires', async () => {
    const keys = requests();
    const holder = ticketOf(await keys.start(ORG, 'k', 'fp'));
    await expect(keys.start(ORG, 'k', 'other')).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      status: 422,
    });
    await keys.finish(holder, ANSWER);
    await expect(keys.start(ORG, 'k', 'other')).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    // Expired: the key is anybody's again.
    advance(TTL_MS);
    const next = ticketOf(await keys.start(ORG, 'k', 'other'));
    await keys.finish(next, { ...ANSWER, body: '{"task_id":"t2"}' });
    expect(await keys.start(ORG, 'k', 'other')).toMatchObject({
      outcome: 'replay',
      response: { body: '{"task_id":"t2"}' },
    });
  });

  it('treats a reservation without an answer for 60 s as abandoned; its late answer is not kept', async () => {
    const keys = requests({ waitMs: 0 });
    const crashed = ticketOf(await keys.start(ORG, 'k', 'fp'));
    advance(59_000);
    await expect(keys.start(ORG, 'k', 'fp')).rejects.toMatchObject({ code: 'idempotency_key_in_use' });
    advance(1_001);
    const next = ticketOf(await keys.start(ORG, 'k', 'fp'));
    await keys.finish(crashed, { ...ANSWER, body: '{"task_id":"late"}' });
    await keys.finish(next, ANSWER);
    expect(await keys.start(ORG, 'k', 'fp')).toEqual({ outcome: 'replay', response: ANSWER });
  });

  it('sweeps expired keys when it starts sweeping', async () => {
    const keys = requests();
    await keys.finish(ticketOf(await keys.start(ORG, 'old', 'fp')), ANSWER);
    advance(TTL_MS / 2);
    await keys.finish(ticketOf(await keys.start(ORG, 'young', 'fp')), ANSWER);
    advance(TTL_MS / 2);
    keys.startSweeping();
    await keys.close();
    // The sweep took the expired one, and only it.
    expect(await store.deleteExpiredIdempotencyKeys(now.toISOString())).toBe(0);
    expect(await keys.start(ORG, 'young', 'fp')).toEqual({ outcome: 'replay', response: ANSWER });
    advance(TTL_MS / 2);
    expect(await store.deleteExpiredIdempotencyKeys(now.toISOString())).toBe(1);
  });
});
