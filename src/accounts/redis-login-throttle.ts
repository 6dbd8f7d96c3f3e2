import type { Redis } from 'ioredis';
import {
  DEFAULT_LOGIN_LIMITS,
  type LoginThrottle,
  type ThrottleLimits,
  throttleKeys,
} from './login-throttle.ts';

export interface RedisLoginThrottleOptions {
  /**
   * Starts every key, so deployments (or tests) sharing a Redis do not count each other's logins.
   * Wrapped in braces (`{audiences-login}:`), it keeps every key in one slot of a Redis Cluster.
   * @defaultValue `audiences:login:`
   */
  prefix?: string;
  /** @defaultValue {@link DEFAULT_LOGIN_LIMITS} */
  limits?: ThrottleLimits;
  /** Milliseconds since the epoch, the time attempts are scored by; a test may drive it. @defaultValue `Date.now` */
  clock?: () => number;
}

/**
 * Checks both counters and, when neither is full, counts the attempt in both, as one step.
 * KEYS: the e-mail's and the address's sorted sets (members: attempt ids; scores: times in ms).
 * ARGV: now, window (ms), the e-mail's limit, the address's limit, the attempt id.
 * Answers the seconds to wait (0: let through).
 */
const BEGIN = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limits = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[i])
  if n >= limits[i] then
    local oldest = redis.call('ZRANGE', KEYS[i], n - limits[i], n - limits[i], 'WITHSCORES')
    local seconds = math.max(1, math.ceil((tonumber(oldest[2]) + window - now) / 1000))
    if seconds > wait then wait = seconds end
  end
end
if wait == 0 then
  for i = 1, 2 do
    redis.call('ZADD', KEYS[i], now, ARGV[5])
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return wait
`;

/** Name of the script on the shared client; ioredis runs it by its SHA and loads it when missing. */
const COMMAND = 'audiencesLoginThrottleBegin';

type WithBegin = Redis & {
  [COMMAND](emailKey: string, addressKey: string, ...args: Array<string | number>): Promise<number>;
};

/**
 * The throttle every process of a deployment shares: a sorted set per e-mail and per address,
 * trimmed to the window on every attempt and expiring a window after its last attempt. The same
 * rules as {@link MemoryLoginThrottle}, made atomic across processes by one Lua script.
 */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly redis: WithBegin;
  private readonly prefix: string;
  private readonly limits: ThrottleLimits;
  private readonly clock: () => number;

  /** @param redis - a connected client, shared with others; the throttle never closes it */
  constructor(redis: Redis, options: RedisLoginThrottleOptions = {}) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: BEGIN });
    this.redis = redis as WithBegin;
    this.prefix = options.prefix ?? 'audiences:login:';
    this.limits = options.limits ?? DEFAULT_LOGIN_LIMITS;
    this.clock = options.clock ?? Date.now;
  }

  async begin(email: string, address: string, attemptId: string): Promise<number> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    const { perEmail, perAddress, windowMs } = this.limits;
    const wait = await this.redis[COMMAND](
      this.prefix + byEmail.name,
      this.prefix + byAddress.name,
      this.clock(),
      windowMs,
      perEmail,
      perAddress,
      attemptId,
    );
    return Number(wait);
  }

  async succeeded(email: string, address: string, attemptId: string): Promise<void> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    const results = await this.redis
      .multi()
      .del(this.prefix + byEmail.name)
      .zrem(this.prefix + byAddress.name, attemptId)
      .exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}
