import { describe, expect, it } from 'vitest';
import {
  exponentText,
  GROWTH_HEADING,
  growthExponent,
  growthSectionOf,
  withGrowthSection,
} from '../../bench/data-growth-report.ts';
import { HISTORY_HEADING } from '../../bench/history.ts';
import { parseOptions } from '../../bench/options.ts';

describe('the growth run’s exponent', () => {
  it('is the power of rows that time follows', () => {
    const sizes = [10e6, 30e6, 100e6];
    // time = 2 ms × rows^1 → 1; time = 5 ms × rows^1.5 → 1.5; a constant time → 0.
    expect(growthExponent(sizes.map((rows) => ({ rows, ms: 2e-6 * rows })))).toBeCloseTo(1, 10);
    expect(growthExponent(sizes.map((rows) => ({ rows, ms: 5e-9 * rows ** 1.5 })))).toBeCloseTo(1.5, 10);
    expect(growthExponent(sizes.map((rows) => ({ rows, ms: 40 })))).toBeCloseTo(0, 10);
  });

  it('fits a line through noisy times: 10 s, 33 s, 100 s over 10M, 30M, 100M rows', () => {
    // log(33/10)/log(3) = 1.087 and log(100/33)/log(10/3) = 0.921: the least-squares slope is 1.0 to two places.
    expect(
      growthExponent([
        { rows: 10e6, ms: 10_000 },
        { rows: 30e6, ms: 33_000 },
        { rows: 100e6, ms: 100_000 },
      ]),
    ).toBeCloseTo(1, 2);
  });

  it('is not a number with one size, which the report prints as n/a', () => {
    expect(growthExponent([{ rows: 10e6, ms: 1 }])).toBeNaN();
    expect(exponentText(growthExponent([{ rows: 10e6, ms: 1 }]))).toBe('n/a');
    expect(exponentText(0.9843)).toBe('0.98');
  });
});

describe('the growth section of BENCHMARKS.md', () => {
  const report = [
    '# Benchmarks',
    '',
    'the full run',
    '',
    HISTORY_HEADING,
    '',
    '- 2026-12-01 `abc1234` line',
    '',
  ].join('\n');
  const section = `${GROWTH_HEADING}\n\nfirst growth run\n`;

  it('goes before the history, and the rest of the report stays', () => {
    const updated = withGrowthSection(report, section, HISTORY_HEADING);
    expect(updated).toBe(
      [
        '# Benchmarks',
        '',
        'the full run',
        '',
        GROWTH_HEADING,
        '',
        'first growth run',
        '',
        HISTORY_HEADING,
        '',
        '- 2026-12-01 `abc1234` line',
        '',
      ].join('\n'),
    );
    expect(growthSectionOf(updated)).toBe(section);
  });

  it('replaces the one of an earlier growth run', () => {
    const once = withGrowthSection(report, section, HISTORY_HEADING);
    const twice = withGrowthSection(once, `${GROWTH_HEADING}\n\nsecond growth run\n`, HISTORY_HEADING);
    expect(twice).not.toContain('first growth run');
    expect(twice).toContain('second growth run');
    expect(twice.indexOf('second growth run')).toBeLessThan(twice.indexOf(HISTORY_HEADING));
    expect(twice).toContain('- 2026-12-01 `abc1234` line');
  });

  it('goes at the end of a report without a history; an earlier report without one has none', () => {
    expect(withGrowthSection('# Benchmarks\n', section, HISTORY_HEADING)).toBe(`# Benchmarks\n\n${section}`);
    expect(growthSectionOf(report)).toBe('');
    expect(growthSectionOf(undefined)).toBe('');
  });
});

describe('npm run bench -- --growth --sizes', () => {
  it('takes row counts with k and M, smallest first', () => {
    const options = parseOptions(['--growth', '--sizes', '30M,100k,1.5M'], {}, '/repo');
    expect(options.dataGrowth).toBe(true);
    expect(options.growthRows).toEqual([100_000, 1_500_000, 30_000_000]);
  });

  it('with --only, takes one size as the tree the comparisons run on', () => {
    expect(parseOptions(['--only', 'export', '--sizes', '100M'], {}, '/repo').tree.rows).toBe(100e6);
    expect(parseOptions(['--only', 'export'], {}, '/repo').tree.rows).toBe(10e6);
    expect(parseOptions(['--sizes', '100M'], {}, '/repo').tree.rows).toBe(10e6);
  });

  it('defaults to 10M, 30M and 100M rows, and refuses a size it cannot read', () => {
    expect(parseOptions(['--growth'], {}, '/repo').growthRows).toEqual([10e6, 30e6, 100e6]);
    expect(() => parseOptions(['--growth', '--sizes', '10 million'], {}, '/repo')).toThrow(
      /--sizes takes row counts/,
    );
  });
});
