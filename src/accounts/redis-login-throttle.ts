import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import {
  DEFAULT_LOGIN_LIMITS,
  type LoginAdmission,
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
 * Checks both counters and, when neither makes the attempt wait, counts it in both, as one step.
 * The same rules as `MemoryLoginThrottle` (`waitSeconds` there is `wait_seconds` here).
 * KEYS: the e-mail's and the address's sorted sets (scores: times in ms; members: "<attempt id>
 * <address>" in the e-mail's, so a success can forget one address's failures, the attempt id in the
 * address's).
 * ARGV: now, window, base delay, max delay (ms), the e-mail's and the address's allowances, the
 * attempt id, the address.
 * Answers { 1, remaining, wait after a failure (s) } when let through, else { 0, seconds to wait }.
 */
const BEGIN = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local allowances = { tonumber(ARGV[5]), tonumber(ARGV[6]) }
local members = { ARGV[7] .. ' ' .. ARGV[8], ARGV[7] }
local function delay(past) return math.min(cap, base * 2 ^ (past - 1)) end
-- Whole seconds until the counter lets an attempt through: waitSeconds of login-throttle.ts.
local function wait_seconds(key, allowance)
  local scored = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local times = {}
  for i = 2, #scored, 2 do times[#times + 1] = tonumber(scored[i]) end
  local n = #times
  if n <= allowance then return 0 end
  local last = times[n]
  local free_at = times[n - allowance] + window
  for left = 0, n - allowance - 1 do
    local from = now
    if left > 0 then from = times[left] + window end
    free_at = math.min(free_at, math.max(from, last + delay(n - left - allowance)))
  end
  if free_at <= now then return 0 end
  return math.ceil((free_at - now) / 1000)
end
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  wait = math.max(wait, wait_seconds(KEYS[i], allowances[i]))
end
if wait > 0 then return { 0, wait } end
local remaining = nil
local after = 0
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, members[i])
  redis.call('PEXPIRE', KEYS[i], window)
  local left = math.max(0, allowances[i] + 1 - redis.call('ZCARD', KEYS[i]))
  if remaining == nil or left < remaining then remaining = left end
  after = math.max(after, wait_seconds(KEYS[i], allowances[i]))
end
return { 1, remaining, after }
`;

/**
 * Forgets the e-mail's failures made from one address and the attempt in the address's counter.
 * KEYS: the e-mail's and the address's sorted sets. ARGV: the address, the attempt id.
 */
const SUCCEEDED = `
local suffix = ' ' .. ARGV[1]
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, -string.len(suffix)) == suffix then redis.call('ZREM', KEYS[1], member) end
end
redis.call('ZREM', KEYS[2], ARGV[2])
return 0
`;

/** Names of the scripts on the shared client; ioredis runs them by SHA and loads them when missing. */
const BEGIN_COMMAND = 'audiencesLoginThrottleBegin';
const SUCCEEDED_COMMAND = 'audiencesLoginThrottleSucceeded';

type Script = (emailKey: string, addressKey: string, ...args: Array<string | number>) => Promise<unknown>;
type WithScripts = Redis & { [BEGIN_COMMAND]: Script; [SUCCEEDED_COMMAND]: Script };

/**
 * The throttle every process of a deployment shares: a sorted set per e-mail and per address,
 * trimmed to the window on every attempt and expiring a window after its last attempt. The same
 * rules as {@link MemoryLoginThrottle}, made atomic across processes by Lua scripts.
 */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly redis: WithScripts;
  private readonly prefix: string;
  private readonly limits: ThrottleLimits;
  private readonly clock: () => number;

  /** @param redis - a connected client, shared with others; the throttle never closes it */
  constructor(redis: Redis, options: RedisLoginThrottleOptions = {}) {
    if (!(BEGIN_COMMAND in redis)) redis.defineCommand(BEGIN_COMMAND, { numberOfKeys: 2, lua: BEGIN });
    if (!(SUCCEEDED_COMMAND in redis)) {
      redis.defineCommand(SUCCEEDED_COMMAND, { numberOfKeys: 2, lua: SUCCEEDED });
    }
    this.redis = redis as WithScripts;
    this.prefix = options.prefix ?? 'audiences:login:';
    this.limits = options.limits ?? DEFAULT_LOGIN_LIMITS;
    this.clock = options.clock ?? Date.now;
  }

  async begin(email: string, address: string, attemptId: string): Promise<LoginAdmission> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    const { windowMs, baseDelayMs, maxDelayMs, emailAllowance, addressAllowance } = this.limits;
    const answer = (await this.unlessDown(() =>
      this.redis[BEGIN_COMMAND](
        this.prefix + byEmail.name,
        this.prefix + byAddress.name,
        this.clock(),
        windowMs,
        baseDelayMs,
        maxDelayMs,
        emailAllowance,
        addressAllowance,
        attemptId,
        address,
      ),
    )) as number[];
    const [allowed, first, second] = answer.map(Number);
    return allowed === 1
      ? { allowed: true, remaining: first!, waitAfterFailure: second! }
      : { allowed: false, retryAfter: first! };
  }

  /**
   * Runs a script, or refuses the login with a 503 while Redis cannot be reached: attempts that
   * cannot be counted are not let through.
   */
  private async unlessDown<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (this.redis.status === 'ready') throw error;
      throw new AppError('not_ready', 'login attempts cannot be counted right now; try again shortly', [], {
        'retry-after': '5',
      });
    }
  }

  async succeeded(email: string, address: string, attemptId: string): Promise<void> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    await this.redis[SUCCEEDED_COMMAND](
      this.prefix + byEmail.name,
      this.prefix + byAddress.name,
      address,
      attemptId,
    );
  }
}
