import { describe, expect, it } from 'vitest';
import { compareText } from '../src/compare.ts';

describe('compareText', () => {
  it('orders by code unit whatever the locale: capitals first, accents after z', () => {
    expect(['b', 'é', 'a', 'Z', 'day=2024-05-10', 'day=2024-05-09', 'B'].sort(compareText)).toEqual([
      'B',
      'Z',
      'a',
      'b',
      'day=2024-05-09',
      'day=2024-05-10',
      'é',
    ]);
  });

  it('answers 0 for equal strings', () => {
    expect(compareText('s3://bucket/a', 's3://bucket/a')).toBe(0);
  });
});
