import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ClaimedDelivery,
  Store,
  TaskEventType,
  TaskLifecycle,
  WebhookRecord,
} from '../../src/store/store.ts';
import { taskLifecycle } from '../../src/tasks/task-lifecycle.ts';
import { queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const OTHER = 'org-2';
const T0 = '2024-06-02T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const WORKER = 'worker-1';
const LEASE_MS = 60_000;
/** The domain's lifecycle, with an export of one job per partition. */
const lifecycle: TaskLifecycle = taskLifecycle((_task, counts) =>
  Object.keys(counts).map((p, seq) => ({
    id: `u-${p}`,
    phase: 'unload',
    seq,
    partitions: [p],
    status: 'queued',
  })),
);

/** Runs the manifest job a move released, as a worker does, completing its task at `seconds`. */
async function finishManifest(store: Store, move: unknown, seconds: number) {
  const released = (move as { released: Array<{ id: string; phase: string }> }).released;
  expect(released.map((job) => job.phase)).toEqual(['manifest']);
  const [job] = released;
  await store.claimJob(job!.id, { owner: WORKER, now: at(seconds), leaseMs: 30_000 });
  await store.completeJob(job!.id, WORKER, { counts: {}, files: [] }, at(seconds), lifecycle);
}

function webhook(id: string, events: TaskEventType[], organizationId = ORG): WebhookRecord {
  return {
    id,
    organizationId,
    url: `https://hooks.example.com/${id}`,
    events,
    secret: `whsec_${Buffer.from(id.padEnd(24, '.')).toString('base64')}`,
    createdAt: T0,
  };
}

describe.each(STORE_BACKENDS)('webhook outbox on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG, createdAt: T0 });
    await seedOrganization(store, { id: OTHER, createdAt: T0 }, { id: 'u2', email: 'b@example.com' });
  });
  afterEach(async () => {
    await opened.dispose();
  });

  /** A task of `org` held for review (perform_unload: false) with one queued count job `{id}-c`. */
  async function countTask(id: string, organizationId = ORG, performUnload = false) {
    await store.insertTask(
      taskRecord({ id, organizationId, request: { view: { perform_unload: performUnload } }, createdAt: T0 }),
      queuedJobs([`${id}-c`]),
    );
    await store.claimJob(`${id}-c`, { owner: WORKER, now: at(1), leaseMs: 30_000 });
  }

  const claim = (owner: string, seconds: number, limit = 10) =>
    store.claimWebhookDeliveries({ owner, now: at(seconds), leaseMs: LEASE_MS }, limit);

  it('records task.counted in the transaction that counts the task, for subscribed webhooks of its organisation only', async () => {
    await store.insertWebhook(webhook('w-counted', ['task.counted', 'task.failed']), 20);
    await store.insertWebhook(webhook('w-completed', ['task.completed']), 20);
    await store.insertWebhook(webhook('w-other-org', ['task.counted'], OTHER), 20);
    await countTask('t1');
    expect(await claim(WORKER, 2)).toEqual([]);

    await store.completeJob('t1-c', WORKER, { counts: { p0: 7, p1: 5 }, files: [] }, at(3), lifecycle);
    const claimed = await claim(WORKER, 4);
    expect(claimed).toHaveLength(1);
    const [delivery] = claimed as [ClaimedDelivery];
    expect(delivery).toMatchObject({
      webhookId: 'w-counted',
      url: 'https://hooks.example.com/w-counted',
      eventType: 'task.counted',
      taskId: 't1',
      attempt: 1,
      createdAt: at(3),
    });
    expect(delivery.eventId).toMatch(/^msg_[0-9a-f]{32}$/);
    // The body is the task as the transaction left it: counted, with its total.
    expect(JSON.parse(delivery.payload)).toEqual({
      type: 'task.counted',
      timestamp: at(3),
      data: {
        task_id: 't1',
        status: 'counted',
        total_count: 12,
        created_at: T0,
        updated_at: at(3),
        completed_at: null,
      },
    });
  });

  it('adds unique_count to the body when the task has one', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await countTask('t1');
    const figures = { unique_count: 4, unique_counts: { p0: 4 }, breakdowns: null };
    await store.completeJob('t1-c', WORKER, { counts: { p0: 9 }, files: [], figures }, at(3), lifecycle);
    const [delivery] = await claim(WORKER, 4);
    expect(JSON.parse(delivery!.payload).data).toMatchObject({ total_count: 9, unique_count: 4 });
  });

  it('records no event for a move to unloading, one task.completed when the export ends', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted', 'task.completed']), 20);
    await countTask('t1', ORG, true);
    await store.completeJob('t1-c', WORKER, { counts: { p0: 3 }, files: [] }, at(3), lifecycle);
    expect((await store.findTask(ORG, 't1', at(3)))!.status).toBe('unloading');
    expect(await claim(WORKER, 4)).toEqual([]);

    await store.claimJob('u-p0', { owner: WORKER, now: at(5), leaseMs: 30_000 });
    const exported = await store.completeJob(
      'u-p0',
      WORKER,
      { counts: { p0: 3 }, files: [] },
      at(6),
      lifecycle,
    );
    // The export's end releases the job that writes its manifest; the task completes when it is done.
    expect(await claim(WORKER, 6)).toEqual([]);
    await finishManifest(store, exported, 7);
    const claimed = await claim(WORKER, 8);
    expect(claimed.map((d) => d.eventType)).toEqual(['task.completed']);
    expect(JSON.parse(claimed[0]!.payload).data).toMatchObject({
      status: 'completed',
      total_count: 3,
      completed_at: at(7),
    });
  });

  it('records task.completed when an unload of a counted task has nothing to export', async () => {
    await store.insertWebhook(webhook('w1', ['task.completed']), 20);
    await countTask('t1');
    await store.completeJob(
      't1-c',
      WORKER,
      { counts: { p0: 0 }, files: [] },
      at(3),
      taskLifecycle(() => []),
    );
    const started = await store.startUnload(
      ORG,
      't1',
      at(4),
      taskLifecycle(() => []),
    );
    expect(started).toMatchObject({ outcome: 'started' });
    await finishManifest(store, started, 5);
    const claimed = await claim(WORKER, 6);
    expect(claimed.map((d) => [d.eventType, JSON.parse(d.payload).data.status])).toEqual([
      ['task.completed', 'completed'],
    ]);
  });

  it('records task.cancelled in the transaction that cancels the task, once', async () => {
    await store.insertWebhook(webhook('w1', ['task.cancelled', 'task.completed']), 20);
    await countTask('t1');
    expect(await store.cancelTask(ORG, 't1', at(3))).toMatchObject({ outcome: 'cancelled' });
    expect(await store.cancelTask(ORG, 't1', at(4))).toMatchObject({ outcome: 'conflict' });
    const claimed = await claim(WORKER, 5);
    expect(claimed.map((d) => [d.eventType, JSON.parse(d.payload).data.status])).toEqual([
      ['task.cancelled', 'cancelled'],
    ]);
  });

  it('records task.failed once, when the first job fails the task', async () => {
    await store.insertWebhook(webhook('w1', ['task.failed']), 20);
    await store.insertTask(
      taskRecord({ id: 't1', organizationId: ORG, totalJobs: 2, createdAt: T0 }),
      queuedJobs(['a', 'b']),
    );
    await store.claimJob('a', { owner: WORKER, now: at(1), leaseMs: 30_000 });
    await store.claimJob('b', { owner: 'worker-2', now: at(1), leaseMs: 30_000 });
    await store.failJob('a', WORKER, { code: 'input_unreadable', message: 'bad file' }, at(2));
    await store.failJob('b', 'worker-2', { code: 'job_failed', message: 'also bad' }, at(3));
    const claimed = await claim(WORKER, 4);
    expect(claimed).toHaveLength(1);
    expect(JSON.parse(claimed[0]!.payload)).toMatchObject({
      type: 'task.failed',
      timestamp: at(2),
      data: { task_id: 't1', status: 'failed', total_count: null },
    });
  });

  it('leases each delivery to one claimer; an expired lease is taken over with the same id and body', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await store.insertWebhook(webhook('w2', ['task.counted']), 20);
    await countTask('t1');
    await store.completeJob('t1-c', WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);

    const [a, b] = await Promise.all([claim('d-1', 4, 1), claim('d-2', 4, 1)]);
    const both = [...a!, ...b!];
    expect(both.map((d) => d.webhookId).sort()).toEqual(['w1', 'w2']);
    // One event, one id, one body for both webhooks.
    expect(new Set(both.map((d) => d.eventId)).size).toBe(1);
    expect(new Set(both.map((d) => d.payload)).size).toBe(1);
    // Held: nobody else gets them while the leases run.
    expect(await claim('d-3', 30)).toEqual([]);

    const taken = await claim('d-3', 4 + LEASE_MS / 1000);
    expect(taken.map((d) => [d.webhookId, d.attempt]).sort()).toEqual([
      ['w1', 2],
      ['w2', 2],
    ]);
    expect(taken[0]!.eventId).toBe(both[0]!.eventId);
    expect(taken[0]!.payload).toBe(both[0]!.payload);
    // The deliverer that was taken over cannot record its late attempt.
    const late = {
      attempt: 1,
      outcome: 'delivered' as const,
      statusCode: 200,
      error: null,
      attemptedAt: at(70),
      nextAttemptAt: null,
    };
    expect(await store.recordWebhookAttempt(a![0]!.id, 'd-1', late)).toEqual({ outcome: 'lease_lost' });
  });

  it('gives concurrent claimers disjoint deliveries', async () => {
    for (let i = 0; i < 5; i += 1) await store.insertWebhook(webhook(`w${i}`, ['task.counted']), 20);
    for (const id of ['t1', 't2', 't3', 't4']) {
      await countTask(id);
      await store.completeJob(`${id}-c`, WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);
    }
    const claims = await Promise.all(['d-1', 'd-2', 'd-3', 'd-4'].map((owner) => claim(owner, 4, 3)));
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rest = await claim('d-5', 4, 100);
    expect(ids.length + rest.length).toBe(20);
  });

  it('schedules a retry, delivers on the next attempt, and logs both attempts newest first', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await countTask('t1');
    await store.completeJob('t1-c', WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);
    const [first] = await claim(WORKER, 4);
    expect(
      await store.recordWebhookAttempt(first!.id, WORKER, {
        attempt: 1,
        outcome: 'retrying',
        statusCode: 500,
        error: 'the receiver answered 500',
        attemptedAt: at(5),
        nextAttemptAt: at(10),
      }),
    ).toEqual({ outcome: 'recorded' });
    // Released, but not due before its next attempt.
    expect(await claim(WORKER, 9)).toEqual([]);
    const [second] = await claim(WORKER, 10);
    expect(second).toMatchObject({
      id: first!.id,
      attempt: 2,
      eventId: first!.eventId,
      payload: first!.payload,
    });
    await store.recordWebhookAttempt(second!.id, WORKER, {
      attempt: 2,
      outcome: 'delivered',
      statusCode: 204,
      error: null,
      attemptedAt: at(11),
      nextAttemptAt: null,
    });
    expect(await claim(WORKER, 100_000)).toEqual([]);

    const log = await store.listWebhookAttempts('w1', 10);
    expect(log.map((a) => [a.attempt, a.outcome, a.statusCode, a.nextAttemptAt])).toEqual([
      [2, 'delivered', 204, null],
      [1, 'retrying', 500, at(10)],
    ]);
    expect(log[0]).toMatchObject({ eventId: first!.eventId, eventType: 'task.counted', taskId: 't1' });
    const page2 = await store.listWebhookAttempts('w1', 1, {
      attemptedAt: log[0]!.attemptedAt,
      id: log[0]!.id,
    });
    expect(page2.map((a) => a.attempt)).toEqual([1]);
  });

  it('never claims a delivery that failed for good', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await countTask('t1');
    await store.completeJob('t1-c', WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);
    const [first] = await claim(WORKER, 4);
    await store.recordWebhookAttempt(first!.id, WORKER, {
      attempt: 1,
      outcome: 'failed',
      statusCode: null,
      error: 'connect ECONNREFUSED',
      attemptedAt: at(5),
      nextAttemptAt: null,
    });
    expect(await claim(WORKER, 100_000)).toEqual([]);
  });

  it('hands a dead run’s leases back at once (the embedded restart)', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await countTask('t1');
    await store.completeJob('t1-c', WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);
    await claim('dead-run', 4);
    expect(await store.releaseOtherWebhookLeases('new-run')).toBe(1);
    expect((await claim('new-run', 5)).map((d) => d.attempt)).toEqual([2]);
  });

  it('deletes a webhook with its pending deliveries and log, only for its organisation', async () => {
    await store.insertWebhook(webhook('w1', ['task.counted']), 20);
    await countTask('t1');
    await store.completeJob('t1-c', WORKER, { counts: { p0: 1 }, files: [] }, at(3), lifecycle);
    const [first] = await claim(WORKER, 4);
    await store.recordWebhookAttempt(first!.id, WORKER, {
      attempt: 1,
      outcome: 'retrying',
      statusCode: 503,
      error: 'the receiver answered 503',
      attemptedAt: at(5),
      nextAttemptAt: at(6),
    });
    expect(await store.deleteWebhook(OTHER, 'w1')).toBe(false);
    expect(await store.findWebhook(OTHER, 'w1')).toBeUndefined();
    expect(await store.deleteWebhook(ORG, 'w1')).toBe(true);
    expect(await store.deleteWebhook(ORG, 'w1')).toBe(false);
    expect(await claim(WORKER, 100)).toEqual([]);
    expect(await store.listWebhookAttempts('w1', 10)).toEqual([]);
    expect(await store.listWebhooks(ORG)).toEqual([]);
  });

  it('caps the webhooks of an organisation, also under concurrent inserts', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.insertWebhook(webhook(`w${i}`, ['task.failed']), 5)),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
    expect(results.find((r) => !r.admitted)).toEqual({ admitted: false, count: 5 });
    expect(await store.listWebhooks(ORG)).toHaveLength(5);
    // Another organisation has its own cap.
    expect(await store.insertWebhook(webhook('x', ['task.failed'], OTHER), 5)).toEqual({ admitted: true });
    expect((await store.listWebhooks(ORG))[0]).toMatchObject({
      events: ['task.failed'],
      secret: expect.stringMatching(/^whsec_/),
    });
  });
});
