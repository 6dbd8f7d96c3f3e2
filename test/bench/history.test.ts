import { describe, expect, it } from 'vitest';
import { HISTORY_HEADING, historyOf, historySection } from '../../bench/history.ts';
import type { BenchResults } from '../../bench/results.ts';

const EARLIER = [
  '# Benchmarks',
  '',
  '## 16. Whole-file export (copy)',
  '',
  'text',
  '',
  HISTORY_HEADING,
  '',
  'One line per full run.',
  '',
  '- 2026-12-02 `bbbbbbb` (11.0 min, 15 of 17 met): filtered count: 1.10×',
  '- 2026-12-01 `aaaaaaa` (11.1 min, 14 of 17 met): filtered count: 1.22× (not met)',
  '',
].join('\n');

describe('the benchmark history', () => {
  it('reads the lines of an earlier report, newest first, and none from a report without history', () => {
    expect(historyOf(EARLIER)).toEqual([
      '- 2026-12-02 `bbbbbbb` (11.0 min, 15 of 17 met): filtered count: 1.10×',
      '- 2026-12-01 `aaaaaaa` (11.1 min, 14 of 17 met): filtered count: 1.22× (not met)',
    ]);
    expect(historyOf('# Benchmarks\n\n## Targets\n\n- not a history line\n')).toEqual([]);
    expect(historyOf(undefined)).toEqual([]);
  });

  it('keeps the earlier lines after a quick run, which adds none of its own', () => {
    const section = historySection({ tiny: true } as BenchResults, historyOf(EARLIER));
    expect(historyOf(`# Benchmarks\n\n${section}`)).toEqual(historyOf(EARLIER));
  });
});
