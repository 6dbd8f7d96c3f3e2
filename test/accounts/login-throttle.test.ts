import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LoginThrottle,
  MemoryLoginThrottle,
  type ThrottleLimits,
} from '../../src/accounts/login-throttle.ts';
import { RedisLoginThrottle } from '../../src/accounts/redis-login-throttle.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

const LIMITS: ThrottleLimits = { perEmail: 3, perAddress: 5, windowMs: 60_000 };
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

  it('lets the limit of attempts on an e-mail through, then answers the seconds until the oldest leaves the window', async () => {
    for (const offset of [0, 10_000, 20_000]) {
      now = START + offset;
      expect(await attempt('ada@x.io')).toBe(0);
    }
    now = START + 30_000;
    expect(await attempt('ada@x.io')).toBe(30);
    now = START + 59_001;
    expect(await attempt('ada@x.io')).toBe(1);
    // Refused attempts were not counted: the first attempt leaving the window frees one slot.
    now = START + 60_000;
    expect(await attempt('ada@x.io')).toBe(0);
    expect(await attempt('ada@x.io')).toBe(10);
    // Another e-mail from the same address has its own count.
    expect(await attempt('bob@x.io')).toBe(0);
  });

  it('limits one address over many e-mails, and only that address', async () => {
    for (let i = 0; i < 5; i++) expect(await attempt(`user${i}@x.io`, '10.0.0.9')).toBe(0);
    now = START + 15_000;
    expect(await attempt('new@x.io', '10.0.0.9')).toBe(45);
    expect(await attempt('new@x.io', '10.0.0.10')).toBe(0);
  });

  it("clears the e-mail's failures on success, but keeps the address's earlier failures", async () => {
    for (let i = 0; i < 2; i++) expect(await attempt('ada@x.io', '10.0.0.2')).toBe(0);
    const id = randomUUID();
    expect(await throttle.begin('ada@x.io', '10.0.0.2', id)).toBe(0);
    expect(await attempt('ada@x.io', '10.0.0.2')).toBe(60);
    await throttle.succeeded('ada@x.io', '10.0.0.2', id);
    // The e-mail starts afresh; the address counts its two failures (and the refused attempt not).
    for (let i = 0; i < 3; i++) expect(await attempt('ada@x.io', '10.0.0.2')).toBe(0);
    expect(await attempt('other@x.io', '10.0.0.2')).toBe(60);
  });

  it('lets no more than the limit of concurrent attempts through', async () => {
    const waits = await Promise.all(Array.from({ length: 20 }, () => attempt('ada@x.io')));
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect(waits.filter((w) => w === 60)).toHaveLength(17);
  });

  it('counts attempts once for every process sharing the counters', async () => {
    const other = opened.open();
    expect(await attempt('ada@x.io')).toBe(0);
    expect(await other.begin('ada@x.io', '10.0.0.1', randomUUID())).toBe(0);
    expect(await attempt('ada@x.io')).toBe(0);
    expect(await other.begin('ada@x.io', '10.0.0.1', randomUUID())).toBe(60);
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
    expect(await throttle.begin('ada@x.io', '10.0.0.1', 'attempt-1')).toBe(0);
    expect((await a.redis.keys(`${a.prefix}*`)).sort()).toEqual([
      `${a.prefix}a:10.0.0.1`,
      `${a.prefix}e:ada@x.io`,
    ]);
    const ttl = await a.redis.pttl(`${a.prefix}e:ada@x.io`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LIMITS.windowMs);
    expect(await a.redis.zrange(`${a.prefix}a:10.0.0.1`, 0, -1)).toEqual(['attempt-1']);

    await throttle.succeeded('ada@x.io', '10.0.0.1', 'attempt-1');
    expect(await a.redis.keys(`${a.prefix}*`)).toEqual([]);
  });

  it('does not count the logins of a throttle under another prefix', async () => {
    const first = new RedisLoginThrottle(a.redis, { prefix: a.prefix, limits: LIMITS });
    const second = new RedisLoginThrottle(b.redis, { prefix: b.prefix, limits: LIMITS });
    for (let i = 0; i < 3; i++) expect(await first.begin('ada@x.io', '10.0.0.1', randomUUID())).toBe(0);
    expect(await first.begin('ada@x.io', '10.0.0.1', randomUUID())).toBeGreaterThan(0);
    expect(await second.begin('ada@x.io', '10.0.0.1', randomUUID())).toBe(0);
  });
});
