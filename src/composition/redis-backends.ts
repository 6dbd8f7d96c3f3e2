import { Redis } from 'ioredis';
import type { LoginThrottle } from '../accounts/login-throttle.ts';
import { RedisLoginThrottle } from '../accounts/redis-login-throttle.ts';
import type { ChangeFeed } from '../changes/change-feed.ts';
import { RedisChangeFeed } from '../changes/redis-change-feed.ts';
import { BullMqQueue } from '../queue/bullmq-queue.ts';
import type { JobQueue } from '../queue/queue.ts';
import type { LogLine } from './build-context.ts';

/** Where Redis is, and the prefix of this deployment's keys and channels. */
export interface RedisTarget {
  redisUrl: string;
  prefix: string;
  log: LogLine;
}

/** The Redis client of the API's limits, and the login throttle over it. */
export interface SharedLimits {
  /** Counts requests of the rate limit; the app does not close it. */
  redis: Redis;
  /** Starts the rate-limit keys. */
  rateLimitPrefix: string;
  loginThrottle: LoginThrottle;
}

/** What a scaled-out deployment shares through Redis. */
export interface RedisBackends {
  /** One lane of jobs (`audiences-count`, `audiences-unload`) in BullMQ, with `concurrency` slots here. */
  lane(phase: string, concurrency: number): JobQueue;
  /** Task changes between processes. */
  feed: ChangeFeed;
  /** An API process's rate limits and login throttle. */
  limits?: SharedLimits;
}

/**
 * The Redis side of a scaled-out process. The composition root imports this module only when
 * REDIS_URL is set: BullMQ and ioredis are a large part of a start, and an embedded process never
 * uses them.
 */
export function redisBackends({ redisUrl, prefix, log }: RedisTarget, api: boolean): RedisBackends {
  return {
    lane: (phase, concurrency) =>
      new BullMqQueue({ redisUrl, prefix, name: `audiences-${phase}`, concurrency, log }),
    feed: new RedisChangeFeed({ redisUrl, prefix, log }),
    ...(api && { limits: sharedLimits(redisUrl, prefix, log) }),
  };
}

function sharedLimits(redisUrl: string, prefix: string, log: RedisTarget['log']): SharedLimits {
  // Limits want to fail fast rather than wait out a Redis outage (BullMQ's connections wait).
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', (error) => log('redis error', { source: 'limits', error: error.message }));
  return {
    redis,
    rateLimitPrefix: `${prefix}:rate:`,
    loginThrottle: new RedisLoginThrottle(redis, { prefix: `${prefix}:login:` }),
  };
}
