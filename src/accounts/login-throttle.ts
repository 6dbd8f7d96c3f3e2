/**
 * How failed logins are slowed down. Each counter (one per e-mail, one per client address) lets its
 * allowance of failures in a window through at once; every failure past it makes the next attempt
 * wait, twice as long each time, up to `maxDelayMs`. Nothing is locked: a wait always ends by itself,
 * and failures leave the count `windowMs` after they were made. `docs/login-throttling.md` says why.
 */
export interface ThrottleLimits {
  /** Failures of one e-mail in the window that cost no wait. @defaultValue 10 */
  emailAllowance: number;
  /** Failures from one client address in the window (over all e-mails) that cost no wait. @defaultValue 30 */
  addressAllowance: number;
  /** The wait after the first failure past an allowance; each further failure doubles it. @defaultValue 1 s */
  baseDelayMs: number;
  /** The longest wait. @defaultValue 15 min */
  maxDelayMs: number;
  /** How long a failure counts. @defaultValue 15 min */
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: ThrottleLimits = {
  emailAllowance: 10,
  addressAllowance: 30,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/**
 * What `begin` decided. Let through: how many more attempts may be made at once should this one
 * fail (`remaining`), and the wait before the next one if none remain (`waitAfterFailure`, seconds).
 * Refused: the whole seconds until an attempt may be made (`retryAfter`, at least 1).
 */
export type LoginAdmission =
  | { allowed: true; remaining: number; waitAfterFailure: number }
  | { allowed: false; retryAfter: number };

/**
 * Counts failed logins per e-mail and per client address in a sliding window. Unknown e-mails are
 * counted like known ones, so being throttled says nothing about whether an account exists.
 *
 * An attempt is counted as a failure from the moment it is let through (`begin`) until it is known
 * to have succeeded: of many concurrent guesses, no more than the allowance get to check a password
 * without waiting. Implementations: {@link MemoryLoginThrottle} (one process) and
 * `RedisLoginThrottle` (shared by every process of a deployment); the same conformance tests run
 * over both.
 */
export interface LoginThrottle {
  /**
   * Lets one attempt through, or not. Let through, it counts as a failure of the e-mail and of the
   * address, under `attemptId`, until `succeeded`; refused, nothing is counted.
   */
  begin(email: string, address: string, attemptId: string): Promise<LoginAdmission>;
  /**
   * The attempt begun under `attemptId` succeeded: it no longer counts against the address, and the
   * e-mail's failures made from this address are forgotten (those from other addresses, where an
   * attacker may be guessing, still count). The address keeps its other failures: one address may
   * try many e-mails.
   */
  succeeded(email: string, address: string, attemptId: string): Promise<void>;
}

/** One counted attempt; `address` only in an e-mail's counter, so a success forgets that address's. */
interface Attempt {
  id: string;
  time: number;
  address?: string;
}

/** Keys kept before expired ones are swept, so a flood of distinct e-mails cannot grow the map for ever. */
const SWEEP_ABOVE = 100_000;

/** The throttle of one process, in memory: each process of a scaled-out deployment would count on its own. */
export class MemoryLoginThrottle implements LoginThrottle {
  private readonly attempts = new Map<string, Attempt[]>();

  /** @param clock - milliseconds since the epoch; a test may drive it */
  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  async begin(email: string, address: string, attemptId: string): Promise<LoginAdmission> {
    const now = this.clock();
    const keys = throttleKeys(email, address);
    const recent = keys.map((key) =>
      (this.attempts.get(key.name) ?? []).filter((a) => a.time > now - this.limits.windowMs),
    );
    const counters = keys.map((key, i) => ({
      times: recent[i]!.map((a) => a.time),
      allowance: allowanceOf(key, this.limits),
    }));
    const wait = Math.max(...counters.map((c) => waitSeconds(c.times, c.allowance, this.limits, now)));
    if (wait > 0) return { allowed: false, retryAfter: wait };
    for (const [i, key] of keys.entries()) {
      const attempt: Attempt =
        key.kind === 'email' ? { id: attemptId, time: now, address } : { id: attemptId, time: now };
      this.attempts.set(key.name, [...recent[i]!, attempt]);
      counters[i]!.times.push(now);
    }
    if (this.attempts.size > SWEEP_ABOVE) this.sweep(now);
    return {
      allowed: true,
      remaining: Math.min(...counters.map((c) => Math.max(0, c.allowance + 1 - c.times.length))),
      waitAfterFailure: Math.max(...counters.map((c) => waitSeconds(c.times, c.allowance, this.limits, now))),
    };
  }

  async succeeded(email: string, address: string, attemptId: string): Promise<void> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    this.keep(byEmail.name, (attempt) => attempt.address !== address);
    this.keep(byAddress.name, (attempt) => attempt.id !== attemptId);
  }

  private keep(key: string, predicate: (attempt: Attempt) => boolean): void {
    const kept = (this.attempts.get(key) ?? []).filter(predicate);
    if (kept.length > 0) this.attempts.set(key, kept);
    else this.attempts.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, attempts] of this.attempts) {
      if (attempts.every((a) => a.time <= now - this.limits.windowMs)) this.attempts.delete(key);
    }
  }
}

interface ThrottleKey {
  kind: 'email' | 'address';
  name: string;
}

/** The two counters an attempt touches; implementations add their own prefix. */
export function throttleKeys(email: string, address: string): [ThrottleKey, ThrottleKey] {
  return [
    { kind: 'email', name: `e:${email}` },
    { kind: 'address', name: `a:${address}` },
  ];
}

function allowanceOf(key: ThrottleKey, limits: ThrottleLimits): number {
  return key.kind === 'email' ? limits.emailAllowance : limits.addressAllowance;
}

/** The wait (ms) that the `past`-th failure beyond the allowance imposes on the next attempt. */
function delayMs(past: number, limits: ThrottleLimits): number {
  return Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (past - 1));
}

/**
 * Whole seconds from `now` until a counter whose failures in the window were made at `times` lets
 * an attempt through (0: at once). Past the allowance, the attempt waits `delayMs` after the last
 * failure; but failures also leave the window, and with fewer of them the delay is shorter, or
 * gone: the earliest of those moments counts. `redis-login-throttle.ts` computes the same in Lua.
 */
function waitSeconds(times: number[], allowance: number, limits: ThrottleLimits, now: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const n = sorted.length;
  if (n <= allowance) return 0;
  const last = sorted[n - 1]!;
  // When enough have left to bring the count down to the allowance.
  let freeAt = sorted[n - allowance - 1]! + limits.windowMs;
  for (let left = 0; left < n - allowance; left++) {
    const from = left === 0 ? now : sorted[left - 1]! + limits.windowMs;
    freeAt = Math.min(freeAt, Math.max(from, last + delayMs(n - left - allowance, limits)));
  }
  return freeAt > now ? Math.ceil((freeAt - now) / 1000) : 0;
}
