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
 * In memory: each replica throttles on its own (a shared store can take its place behind this class).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds until the next attempt may be made, or 0 when it may be made now. */
  retryAfter(email: string, address: string): number {
    const now = this.clock();
    const waits = [
      this.wait(`e:${email}`, this.limits.perEmail, now),
      this.wait(`a:${address}`, this.limits.perAddress, now),
    ];
    return Math.max(...waits);
  }

  recordFailure(email: string, address: string): void {
    const now = this.clock();
    for (const key of [`e:${email}`, `a:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.set(key, times);
    }
    if (this.failures.size > 100_000) this.prune(now);
  }

  /** A successful login clears the e-mail's failures (not the address's: one address may try many e-mails). */
  recordSuccess(email: string): void {
    this.failures.delete(`e:${email}`);
  }

  private wait(key: string, limit: number, now: number): number {
    const times = this.recent(key, now);
    if (times.length < limit) return 0;
    const oldest = times[times.length - limit]!;
    return Math.max(1, Math.ceil((oldest + this.limits.windowMs - now) / 1000));
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((time) => time > now - this.limits.windowMs);
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      if (times.every((time) => time <= now - this.limits.windowMs)) this.failures.delete(key);
    }
  }
}
