import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BullMqQueue, type BullMqQueueOptions } from '../../src/queue/bullmq-queue.ts';
import { MemoryQueue } from '../../src/queue/memory-queue.ts';
import type { JobHandler, JobQueue } from '../../src/queue/queue.ts';
import { openTestRedis, TEST_REDIS_URL } from '../support/redis.ts';

/**
 * One test's queue: every `open` in it shares one queue, as the processes of a deployment would
 * (for the memory queue, which lives in one process, there is only one). `dispose` closes every
 * queue opened and removes what it left in Redis.
 */
export interface QueueSpace {
  open(options: { concurrency: number }): JobQueue;
  dispose(): Promise<void>;
}

export interface QueueBackend {
  name: string;
  space(): QueueSpace;
}

/** Every queue backend: the same tests run over each. */
export const QUEUE_BACKENDS: QueueBackend[] = [
  {
    name: 'memory',
    space() {
      const opened: JobQueue[] = [];
      return {
        open({ concurrency }) {
          const queue = new MemoryQueue(concurrency);
          opened.push(queue);
          return queue;
        },
        async dispose() {
          await Promise.all(opened.map((queue) => queue.close()));
        },
      };
    },
  },
  {
    name: 'bullmq',
    space() {
      const space = bullMqSpace();
      return { open: (options) => space.open(options), dispose: () => space.dispose() };
    },
  },
];

/** A unique BullMQ name and prefix on the test Redis, with everything under the prefix removed after. */
export function bullMqSpace() {
  const name = 'jobs';
  const prefix = `test-queue-${randomUUID()}`;
  const opened: BullMqQueue[] = [];
  return {
    name,
    prefix,
    open(options: Omit<BullMqQueueOptions, 'redisUrl' | 'name' | 'prefix'>): BullMqQueue {
      const queue = new BullMqQueue({ redisUrl: TEST_REDIS_URL, name, prefix, ...options });
      opened.push(queue);
      return queue;
    },
    async dispose() {
      await Promise.all(opened.map((queue) => queue.close()));
      await (await openTestRedis(`${prefix}:`)).close();
    },
  };
}

/** Every key matching the pattern (one test's prefix: never anything wider). */
export async function keysOf(pattern: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** One turn of the event loop: the memory queue delivers on the turn after an enqueue. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Real time passing, for asserting that nothing else arrives (a duplicate would within it). */
export const quiet = (ms = 300) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the condition holds (the BullMQ queue delivers through Redis, not on a turn). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Held {
  id: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Every held handler's `settleAll`, so that a failed test does not leave a close waiting forever. */
const holders = new Set<() => Promise<void>>();

/** Settles whatever every held handler still holds (in `afterEach`, before closing the queues). */
export async function releaseAll(): Promise<void> {
  for (const settleAll of holders) await settleAll();
  holders.clear();
}

/** A handler that records each delivery (and when) and holds it until the test settles it. */
export function heldHandler() {
  const delivered: string[] = [];
  const deliveredAt: number[] = [];
  const held: Held[] = [];
  let maxRunning = 0;
  let releasing = false;
  const handler: JobHandler = (id) =>
    new Promise<void>((resolve, reject) => {
      delivered.push(id);
      deliveredAt.push(Date.now());
      if (releasing) return resolve();
      held.push({ id, resolve, reject });
      maxRunning = Math.max(maxRunning, held.length);
    });
  const settle = async (id: string, error?: Error) => {
    const index = held.findIndex((job) => job.id === id);
    if (index < 0) throw new Error(`${id} is not running`);
    const [job] = held.splice(index, 1);
    if (error) job!.reject(error);
    else job!.resolve();
    await turn();
  };
  const settleAll = async () => {
    releasing = true;
    for (const job of held.splice(0)) job.resolve();
    await turn();
  };
  holders.add(settleAll);
  return {
    handler,
    delivered,
    deliveredAt,
    running: () => held.map((job) => job.id),
    maxRunning: () => maxRunning,
    settle,
    /** Settles every running delivery and lets any later one through (so that a queue can close). */
    settleAll,
  };
}
