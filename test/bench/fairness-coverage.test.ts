import { describe, expect, it } from 'vitest';
import { coverage } from '../../bench/fairness.ts';

// Whether A's exports ran throughout one of B's samples: the share of B's task's life covered by
// the union of the lives of A's exports (server-clock milliseconds).
describe('coverage of a sample by the exports running beside it', () => {
  it('is 1 when one export spans the sample, or several do end to end', () => {
    expect(coverage([100, 200], [[0, 300]])).toBe(1);
    expect(
      coverage(
        [100, 200],
        [
          [150, 400],
          [0, 150],
        ],
      ),
    ).toBe(1);
  });

  it('counts the gaps between exports once, and overlaps once', () => {
    expect(
      coverage(
        [100, 200],
        [
          [0, 120],
          [110, 130],
          [180, 300],
        ],
      ),
    ).toBeCloseTo(0.5);
    expect(coverage([100, 200], [[300, 400]])).toBe(0);
  });

  it('takes an instant sample as covered when it falls inside an export', () => {
    expect(coverage([100, 100], [[50, 100]])).toBe(1);
    expect(coverage([100, 100], [[101, 200]])).toBe(0);
  });
});
