import { describe, expect, it } from 'vitest';
import { overlapFigures } from '../../src/overlap/overlap-sql.ts';

/** Figures from mask counts, checked against sets built by hand. */
describe('overlapFigures', () => {
  it('adds up sizes, pairs, Jaccard and every Venn region of three sets', () => {
    const sets = [new Set([1, 2, 3, 4, 5]), new Set([4, 5, 6, 7]), new Set([5, 7, 8])];
    const counts = new Map<number, number>();
    for (const member of new Set(sets.flatMap((s) => [...s]))) {
      const mask = sets.reduce((m, set, i) => m | (set.has(member) ? 1 << i : 0), 0);
      counts.set(mask, (counts.get(mask) ?? 0) + 1);
    }
    const figures = overlapFigures(
      3,
      [...counts].map(([mask, count]) => ({ mask, count })),
    );
    expect(figures.sizes).toEqual([5, 4, 3]);
    expect(figures.union).toBe(8);
    expect(figures.pairs).toEqual([
      { a: 0, b: 1, intersection: 2, union: 7, jaccard: 2 / 7 },
      { a: 0, b: 2, intersection: 1, union: 7, jaccard: 1 / 7 },
      { a: 1, b: 2, intersection: 2, union: 5, jaccard: 2 / 5 },
    ]);
    // Only A {1,2,3}, only B {6}, A∩B not C {4}, only C {8}, A∩C not B {}, B∩C not A {7}, all {5}.
    expect(figures.regions).toEqual([
      { mask: 1, count: 3 },
      { mask: 2, count: 1 },
      { mask: 3, count: 1 },
      { mask: 4, count: 1 },
      { mask: 5, count: 0 },
      { mask: 6, count: 1 },
      { mask: 7, count: 1 },
    ]);
  });

  it('gives no regions from four sets on, and a Jaccard of 0 for two empty sets', () => {
    const figures = overlapFigures(4, [{ mask: 0b0011, count: 2 }]);
    expect(figures.regions).toBeNull();
    expect(figures.pairs).toHaveLength(6);
    expect(figures.pairs.find((p) => p.a === 2 && p.b === 3)).toEqual({
      a: 2,
      b: 3,
      intersection: 0,
      union: 0,
      jaccard: 0,
    });
  });
});
