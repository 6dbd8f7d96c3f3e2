import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LoginAdmission,
  type LoginThrottle,
  MemoryLoginThrottle,
  type ThrottleLimits,
} from '../../src/accounts/login-throttle.ts';
import { RedisLoginThrottle } from '../../src/accounts/redis-login-throttle.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/** Small numbers, so each rule shows in a few attempts: 3 + 1 at once, then waits of 1, 2, 4, 8, 8 … s. */
const LIMITS: ThrottleLimits = {
  emailAllowance: 3,
  addressAllowance: 5,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  windowMs: 60_000,
};
const START = Date.parse('2024-06-01T10:00:00.000Z');

interface Opened {
  /** A throttle over the same counters: another process of the same deployment. */
  open(): LoginThrottle;
  close(): Promise<void>;
}

interface ThrottleBackend {
  name: string;
  create(clock: () => number): Promise<Opened>;
}

const BACKENDS: ThrottleBackend[] = [
  {
    name: 'memory',
    async create(clock) {
      const throttle = new MemoryLoginThrottle(LIMITS, clock);
      return { open: () => throttle, close: async () => {} };
    },
  },
  {
    name: 'redis',
    async create(clock) {
      const redis = await openTestRedis();
      return {
        open: () => new RedisLoginThrottle(redis.redis, { prefix: redis.prefix, limits: LIMITS, clock }),
        close: () => redis.close(),
      };
    },
  },
];

const letThrough = (remaining: number, waitAfterFailure = 0): LoginAdmission => ({
  allowed: true,
  remaining,
  waitAfterFailure,
});
const refused = (retryAfter: number): LoginAdmission => ({ allowed: false, retryAfter });

describe.each(BACKENDS)('login throttle in $name', (backend) => {
  let now: number;
  let opened: Opened;
  let throttle: LoginThrottle;

  beforeEach(async () => {
    now = START;
    opened = await backend.create(() => now);
    throttle = opened.open();
  });
  afterEach(async () => opened.close());

  const attempt = (email: string, address = '10.0.0.1') => throttle.begin(email, address, randomUUID());

  it('lets the allowance and one more attempt through at once, counting down what remains', async () => {
    const admissions: LoginAdmission[] = [];
    for (let i = 0; i < 4; i++) {
      admissions.push(await attempt('ada@x.io'));
      now += 10_000;
    }
    expect(admissions).toEqual([letThrough(3), letThrough(2), letThrough(1), letThrough(0, 1)]);
    // The fourth failure was 10 s ago: its 1 s wait is over.
    expect(await attempt('ada@x.io')).toEqual(letThrough(0, 2));
    expect(await attempt('ada@x.io')).toEqual(refused(2));
    // Another e-mail has its own count, and is let through; but this address has spent its own
    // allowance (5), so nothing remains before a wait.
    expect(await attempt('bob@x.io')).toEqual(letThrough(0, 1));
    expect(await attempt('bob@x.io', '10.0.0.2')).toEqual(letThrough(2));
  });

  it('doubles the wait with every failure past the allowance, up to the cap, and never locks', async () => {
    for (let i = 0; i < 4; i++) await attempt('ada@x.io');
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await attempt('ada@x.io');
      expect(answer.allowed).toBe(false);
      const wait = (answer as { retryAfter: number }).retryAfter;
      waits.push(wait);
      // A millisecond early is still too early; on time, the attempt goes through.
      now += wait * 1000 - 1;
      expect(await attempt('ada@x.io')).toEqual(refused(1));
      now += 1;
      expect((await attempt('ada@x.io')).allowed).toBe(true);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
    // A partial second is answered as a whole one: Retry-After is in seconds.
    now += 7_500;
    expect(await attempt('ada@x.io')).toEqual(refused(1));
    // Failures leave the count a window after they were made: nothing outlasts it.
    now += LIMITS.windowMs;
    expect(await attempt('ada@x.io')).toEqual(letThrough(3));
  });

  it('limits one address over many e-mails, and only that address', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await attempt(`user${i}@x.io`, '10.0.0.9');
      remaining.push((answer as { remaining: number }).remaining);
    }
    // The e-mails' counts (3 left each) hide the address's until it is the smaller.
    expect(remaining).toEqual([3, 3, 3, 2, 1, 0]);
    expect(await attempt('new@x.io', '10.0.0.9')).toEqual(refused(1));
    expect(await attempt('new@x.io', '10.0.0.10')).toEqual(letThrough(3));
  });

  it("on success forgets the e-mail's failures from that address only, and the address only that attempt", async () => {
    // Two failures from elsewhere (an attacker's, say), one from the user's own address.
    for (let i = 0; i < 2; i++) await attempt('ada@x.io', '10.0.0.3');
    await attempt('ada@x.io', '10.0.0.2');
    const id = randomUUID();
    expect(await throttle.begin('ada@x.io', '10.0.0.2', id)).toEqual(letThrough(0, 1));
    expect(await attempt('ada@x.io', '10.0.0.2')).toEqual(refused(1));
    await throttle.succeeded('ada@x.io', '10.0.0.2', id);
    // The other address's two failures still count: one less than the allowance left, plus one.
    expect(await attempt('ada@x.io', '10.0.0.2')).toEqual(letThrough(1));
    // The address kept its earlier failure (and this one): 4 more through on other e-mails, then a wait.
    const others = [];
    for (let i = 0; i < 4; i++) others.push((await attempt(`other${i}@x.io`, '10.0.0.2')).allowed);
    expect(others).toEqual([true, true, true, true]);
    expect(await attempt('other9@x.io', '10.0.0.2')).toEqual(refused(1));
  });

  it('lets no more than the allowance and one of concurrent attempts through', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => attempt('ada@x.io')));
    const through = answers.filter((a) => a.allowed) as Array<{ remaining: number }>;
    expect(through.map((a) => a.remaining).sort()).toEqual([0, 1, 2, 3]);
    expect(answers.filter((a) => !a.allowed)).toEqual(Array(16).fill(refused(1)));
  });

  it('counts attempts once for every process sharing the counters', async () => {
    const other = opened.open();
    expect(await attempt('ada@x.io')).toEqual(letThrough(3));
    expect(await other.begin('ada@x.io', '10.0.0.1', randomUUID())).toEqual(letThrough(2));
    expect(await attempt('ada@x.io')).toEqual(letThrough(1));
    expect(await other.begin('ada@x.io', '10.0.0.1', randomUUID())).toEqual(letThrough(0, 1));
    expect(await attempt('ada@x.io')).toEqual(refused(1));
  });
});

describe('login throttle in redis', () => {
  let a: TestRedis;
  let b: TestRedis;
  beforeEach(async () => {
    a = await openTestRedis();
    b = await openTestRedis();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('keeps its counters under its prefix, expiring a window after the last attempt', async () => {
    const throttle = new RedisLoginThrottle(a.redis, { prefix: a.prefix, limits: LIMITS });
    expect(await throttle.begin('ada@x.io', '10.0.0.1', 'attempt-1')).toEqual(letThrough(3));
    expect((await a.redis.keys(`${a.prefix}*`)).sort()).toEqual([
      `${a.prefix}a:10.0.0.1`,
      `${a.prefix}e:ada@x.io`,
    ]);
    const ttl = await a.redis.pttl(`${a.prefix}e:ada@x.io`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LIMITS.windowMs);
    expect(await a.redis.zrange(`${a.prefix}a:10.0.0.1`, 0, -1)).toEqual(['attempt-1']);
    expect(await a.redis.zrange(`${a.prefix}e:ada@x.io`, 0, -1)).toEqual(['attempt-1 10.0.0.1']);

    await throttle.succeeded('ada@x.io', '10.0.0.1', 'attempt-1');
    expect(await a.redis.keys(`${a.prefix}*`)).toEqual([]);
  });

  it('does not count the logins of a throttle under another prefix', async () => {
    const first = new RedisLoginThrottle(a.redis, { prefix: a.prefix, limits: LIMITS });
    const second = new RedisLoginThrottle(b.redis, { prefix: b.prefix, limits: LIMITS });
    for (let i = 0; i < 4; i++)
      expect((await first.begin('ada@x.io', '10.0.0.1', randomUUID())).allowed).toBe(true);
    expect((await first.begin('ada@x.io', '10.0.0.1', randomUUID())).allowed).toBe(false);
    expect(await second.begin('ada@x.io', '10.0.0.1', randomUUID())).toEqual(letThrough(3));
  });
});
