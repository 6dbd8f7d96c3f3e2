import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../src/queue/bullmq-queue.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';
import { bullMqSpace, heldHandler, keysOf, quiet, releaseAll, waitFor } from './queue-backends.ts';

// The behaviour every queue shares is in queue-conformance.test.ts; these are BullMQ's own: several
// processes on one queue, a process that dies, and what stays in Redis.

describe('BullMqQueue', () => {
  let space: ReturnType<typeof bullMqSpace>;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    space = bullMqSpace();
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    await releaseAll();
    await space.dispose();
  });

  it('shares one queue between processes: each runs up to its concurrency, each id once', async () => {
    const a = space.open({ concurrency: 2 });
    const b = space.open({ concurrency: 2 });
    const ha = heldHandler();
    const hb = heldHandler();
    await a.start(ha.handler);
    await b.start(hb.handler);
    await a.enqueue(['1', '2', '3', '4']);
    // Each process holds two: the other two can only have gone to the other process.
    await waitFor(() => ha.delivered.length + hb.delivered.length >= 4);
    await quiet();
    expect(ha.delivered).toHaveLength(2);
    expect(hb.delivered).toHaveLength(2);
    expect([...ha.delivered, ...hb.delivered].sort()).toEqual(['1', '2', '3', '4']);

    // From now on both handlers settle at once; ids enqueued through either process run once each.
    await ha.settleAll();
    await hb.settleAll();
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await Promise.all([a.enqueue(ids.slice(0, 20)), b.enqueue(ids.slice(20))]);
    const handled = () => [...ha.delivered.slice(2), ...hb.delivered.slice(2)];
    await waitFor(() => handled().length >= ids.length);
    await quiet();
    expect(handled().sort()).toEqual([...ids].sort());
    expect(ha.maxRunning()).toBeLessThanOrEqual(2);
    expect(hb.maxRunning()).toBeLessThanOrEqual(2);
  });

  /** Starts the dying-worker fixture, lets it take `jobId`, and kills it mid-job (SIGKILL). */
  async function killMidJob(jobId: string, lockDurationMs: number): Promise<void> {
    const fixture = path.join(import.meta.dirname, 'fixtures/dying-worker.ts');
    const dying = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, TEST_REDIS_URL, space.name, space.prefix, String(lockDurationMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = dying;
    let output = '';
    dying.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise((resolve) => dying.on('exit', resolve));
    await waitFor(() => output.includes('started\n'), 30_000);

    const producer = space.open({ concurrency: 1 });
    await producer.enqueue([jobId]);
    await waitFor(() => output.includes(`running ${jobId}\n`));
    dying.kill('SIGKILL');
    await exited;
  }

  it('delivers the job of a process killed mid-job to another process once its lock expires', async () => {
    await killMidJob('orphan', 1_000);

    // The dead process's lock lasts 1 s; this one looks for stalled jobs every 500 ms.
    const survivor = space.open({ concurrency: 1, lockDurationMs: 1_000, stalledIntervalMs: 500 });
    const h = heldHandler();
    await survivor.start(h.handler);
    await waitFor(() => h.delivered.length >= 1, 30_000);
    expect(h.delivered).toEqual(['orphan']);
    await h.settle('orphan');
    await quiet();
    expect(h.delivered).toEqual(['orphan']);
  });

  it("delivers a redelivery of a dead process's job at once, before BullMQ notices the lost lock", async () => {
    // The dead process's lock lasts a minute and the survivor looks for stalled jobs every 30 s
    // (the defaults' order): BullMQ holds `orphan` as active for up to a minute and a half.
    await killMidJob('orphan', 60_000);
    const survivor = space.open({ concurrency: 1 });
    const h = heldHandler();
    await survivor.start(h.handler);
    // A plain enqueue waits for the stalled check; a redelivery (the store's lease expired) does not.
    await survivor.enqueue(['orphan']);
    await quiet(1_000);
    expect(h.delivered).toEqual([]);
    await survivor.enqueue(['orphan'], { redeliver: true });
    await waitFor(() => h.delivered.length >= 1, 10_000);
    expect(h.delivered).toEqual(['orphan']);
    await h.settle('orphan');
  });

  it('leaves the ids a closed process did not take to the others, and drops ids enqueued after close', async () => {
    const a = space.open({ concurrency: 1 });
    const ha = heldHandler();
    await a.start(ha.handler);
    await a.enqueue(['running', 'waiting']);
    await a.enqueue(['delayed'], { delayMs: 300 });
    await waitFor(() => ha.delivered.length >= 1);
    const closing = a.close();
    await ha.settle('running');
    await closing;
    await a.enqueue(['after-close']);

    const b = space.open({ concurrency: 2 });
    const hb = heldHandler();
    await b.start(hb.handler);
    await waitFor(() => hb.delivered.length >= 2);
    await quiet(600);
    expect(ha.delivered).toEqual(['running']);
    expect([...hb.delivered].sort()).toEqual(['delayed', 'waiting']);
  });

  it('delivers a delayed retry even while the delivery that enqueued it still runs', async () => {
    const queue = space.open({ concurrency: 2 });
    const runs: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.start(async (id) => {
      runs.push(id);
      if (runs.length === 1) {
        await queue.enqueue([id], { delayMs: 200 });
        await held;
      }
    });
    await queue.enqueue(['slow']);
    // BullMQ still holds the first delivery as active: the retry must not be taken for a duplicate.
    await waitFor(() => runs.length >= 2);
    release();
    await quiet();
    expect(runs).toEqual(['slow', 'slow']);
  });

  it('keeps no finished or failed job in Redis', async () => {
    const queue = space.open({ concurrency: 2 });
    const handled: string[] = [];
    await queue.start(async (id) => {
      handled.push(id);
      if (id === 'bad') throw new Error('disk on fire');
    });
    await queue.enqueue(['good', 'bad']);
    await queue.enqueue(['later'], { delayMs: 50 });
    await waitFor(() => handled.length >= 3);
    const jobKeys = `${space.prefix}:${space.name}:j.*`;
    await waitFor(async () => (await keysOf(jobKeys)).length === 0);
    const sets = await keysOf(`${space.prefix}:${space.name}:*`);
    expect(sets.filter((key) => key.endsWith(':completed') || key.endsWith(':failed'))).toEqual([]);
    expect(await queue.depth()).toBe(0);
  });

  it('tells the first process that looks, once, that Redis lost what it held', async () => {
    const a = space.open({ concurrency: 1 });
    const b = space.open({ concurrency: 1 });
    // A Redis that never held this queue: the first look anywhere reports it, then nobody.
    expect(await a.wasEmptied()).toBe(true);
    expect(await b.wasEmptied()).toBe(false);
    expect(await a.wasEmptied()).toBe(false);
    await a.enqueue(['x', 'y']);
    expect(await b.wasEmptied()).toBe(false);

    // Everything under the queue's keys gone, as after a FLUSHALL or a restart without persistence
    // (deleted by prefix here: other tests share this Redis).
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await keysOf(`${space.prefix}:${space.name}:*`);
      expect(keys.length).toBeGreaterThan(1);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    expect(await b.wasEmptied()).toBe(true);
    expect(await a.wasEmptied()).toBe(false);
    expect(await b.wasEmptied()).toBe(false);
  });

  it('rejects ping when Redis cannot be reached', async () => {
    const queue = new BullMqQueue({
      redisUrl: 'redis://127.0.0.1:1',
      prefix: space.prefix,
      concurrency: 1,
      pingTimeoutMs: 300,
    });
    try {
      await expect(queue.ping()).rejects.toThrow('redis did not answer within 300 ms');
      await expect(queue.wasEmptied()).rejects.toThrow('redis did not answer within 300 ms');
    } finally {
      await queue.close();
    }
  });
});
