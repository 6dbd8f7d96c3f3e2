/** How many failed logins are tolerated in a window before further attempts are refused. */
export interface ThrottleLimits {
  perEmail: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: ThrottleLimits = { perEmail: 5, perAddress: 30, windowMs: 15 * 60_000 };

/**
 * Counts failed logins per e-mail and per client address in a sliding window. Unknown e-mails are
 * counted like known ones, so being throttled says nothing about whether an account exists.
 *
 * An attempt is counted as a failure from the moment it is let through (`begin`) until it is known
 * to have succeeded: of many concurrent guesses, no more than the limit get to check a password.
 * Implementations: {@link MemoryLoginThrottle} (one process) and `RedisLoginThrottle` (shared by
 * every process of a deployment); the same conformance tests run over both.
 */
export interface LoginThrottle {
  /**
   * Lets one attempt through, or not: 0 when it may be made now (it then counts as a failure of
   * the e-mail and of the address, under `attemptId`, until `succeeded`), else the seconds until
   * one may be made (and nothing is counted).
   */
  begin(email: string, address: string, attemptId: string): Promise<number>;
  /**
   * The attempt begun under `attemptId` succeeded: it no longer counts against the address, and the
   * e-mail's failures are cleared (not the address's: one address may try many e-mails).
   */
  succeeded(email: string, address: string, attemptId: string): Promise<void>;
}

interface Attempt {
  id: string;
  time: number;
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

  async begin(email: string, address: string, attemptId: string): Promise<number> {
    const now = this.clock();
    const keys = throttleKeys(email, address);
    const waits = keys.map((key) => this.wait(key, now));
    const wait = Math.max(...waits.map((w) => w.seconds));
    if (wait > 0) return wait;
    for (const [i, key] of keys.entries()) {
      this.attempts.set(key.name, [...waits[i]!.recent, { id: attemptId, time: now }]);
    }
    if (this.attempts.size > SWEEP_ABOVE) this.sweep(now);
    return 0;
  }

  async succeeded(email: string, address: string, attemptId: string): Promise<void> {
    const [byEmail, byAddress] = throttleKeys(email, address);
    this.attempts.delete(byEmail.name);
    const kept = (this.attempts.get(byAddress.name) ?? []).filter((attempt) => attempt.id !== attemptId);
    if (kept.length > 0) this.attempts.set(byAddress.name, kept);
    else this.attempts.delete(byAddress.name);
  }

  private wait(key: ThrottleKey, now: number): { seconds: number; recent: Attempt[] } {
    const limit = key.kind === 'email' ? this.limits.perEmail : this.limits.perAddress;
    const recent = (this.attempts.get(key.name) ?? []).filter((a) => a.time > now - this.limits.windowMs);
    if (recent.length < limit) return { seconds: 0, recent };
    // Free again once the oldest of the last `limit` attempts leaves the window.
    const oldest = recent[recent.length - limit]!.time;
    return { seconds: secondsUntil(oldest + this.limits.windowMs, now), recent };
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

/** Whole seconds until `at`, at least 1: a `Retry-After` of 0 would invite an immediate retry. */
function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
