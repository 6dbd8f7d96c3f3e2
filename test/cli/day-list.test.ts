import { describe, expect, it } from 'vitest';
import { parseDays } from '../../src/cli/day-list.ts';
import { UsageError } from '../../src/cli/usage-error.ts';

describe('--days', () => {
  it('takes both date formats, comma lists and inclusive ranges, in order and without repeats', () => {
    expect(parseDays('2024-05-01')).toEqual(['2024-05-01']);
    expect(parseDays('20240501, 2024-05-03')).toEqual(['2024-05-01', '2024-05-03']);
    expect(parseDays('2024-02-27..20240302,2024-02-28')).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
      '2024-03-02',
    ]);
    expect(parseDays('2024-12-31..2025-01-01')).toEqual(['2024-12-31', '2025-01-01']);
    expect(parseDays('2024-05-01..2024-05-01')).toEqual(['2024-05-01']);
  });

  it('refuses days that do not exist and reversed ranges, saying what to change', () => {
    expect(() => parseDays('2024-13-45')).toThrow(UsageError);
    expect(() => parseDays('2023-02-29')).toThrow('"2023-02-29" is not a date; use YYYY-MM-DD or YYYYMMDD');
    expect(() => parseDays('2024-5-1')).toThrow('is not a date');
    expect(() => parseDays('2024-05-07..2024-05-01')).toThrow(
      'the range "2024-05-07..2024-05-01" ends before it starts; write the earlier day first (2024-05-01..2024-05-07)',
    );
    expect(() => parseDays('2024-05-01..2024-05-02..2024-05-03')).toThrow('more than one ".."');
    expect(() => parseDays(' , ')).toThrow('at least one day');
    expect(() => parseDays('2000-01-01..2024-01-01')).toThrow('more than 3660 days');
  });
});
