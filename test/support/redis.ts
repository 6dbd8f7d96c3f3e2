import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis server tests share with each other (and with other suites running at the same time). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  /** Unique to this connection's user: every key the test writes starts with it. */
  prefix: string;
  /** Deletes the keys under the prefix (and only those) and disconnects. */
  close(): Promise<void>;
}

/**
 * A client and a key prefix of its own, so tests never see or remove each other's keys. Given the
 * prefix of another, it is a second process of the same deployment.
 */
export async function openTestRedis(prefix = `test:${randomUUID()}:`): Promise<TestRedis> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return {
    redis,
    prefix,
    async close() {
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
        keys.push(...(batch as string[]));
      }
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
