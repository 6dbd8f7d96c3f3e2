import { describe, expect, it } from 'vitest';
import { bucketsForSlots, sliceBucketsOf } from '../../src/tasks/unique-slices.ts';

describe('the hash buckets of a sliced task', () => {
  it('are 16 until more count jobs run at once across the workers, then the next power of two', () => {
    expect([1, 2, 4, 15, 16].map(bucketsForSlots)).toEqual([16, 16, 16, 16, 16]);
    expect([17, 32, 33, 200, 1024].map(bucketsForSlots)).toEqual([32, 32, 64, 256, 1024]);
  });

  it('stop at 4096 however many slots there are', () => {
    expect([4096, 4097, 1_000_000].map(bucketsForSlots)).toEqual([4096, 4096, 4096]);
  });

  it('are 16 for a plan stored before it named its own', () => {
    expect(sliceBucketsOf({})).toBe(16);
    expect(sliceBucketsOf({ sliceBuckets: 5 })).toBe(5);
  });
});
