/**
 * A seeded random source (mulberry32), so a chaos run's choices (task bodies, kill moments, victims)
 * repeat with the same `--seed`; the timing of the processes themselves never does.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(values: readonly T[]): T {
    if (values.length === 0) throw new Error('pick from an empty list');
    return values[Math.floor(this.next() * values.length)]!;
  }

  /** `n` distinct values, in the order of `values`. */
  sample<T>(values: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    const count = Math.min(n, values.length);
    while (chosen.size < count) chosen.add(Math.floor(this.next() * values.length));
    return [...chosen].sort((a, b) => a - b).map((i) => values[i]!);
  }

  /** A value drawn from `weights` ({value: weight}). */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [value, weight] of entries) {
      x -= weight;
      if (x < 0) return value;
    }
    return entries.at(-1)![0];
  }

  /** `n` moments spread at random over [from, to), sorted. */
  moments(n: number, from: number, to: number): number[] {
    return Array.from({ length: n }, () => from + this.next() * (to - from)).sort((a, b) => a - b);
  }
}
