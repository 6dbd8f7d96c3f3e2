import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.ts';
import { parseDay, parseDays } from '../../../src/tasks/requests/days.ts';

describe('parseDay', () => {
  it.each([
    ['2024-05-01', '2024-05-01'],
    ['20240502', '2024-05-02'],
    ['2024-02-29', '2024-02-29'],
    ['20001231', '2000-12-31'],
  ])('accepts %s as %s', (input, day) => {
    expect(parseDay(input)).toBe(day);
  });

  it.each([
    '2024-13-01',
    '2024-02-30',
    '2023-02-29',
    '2024-5-1',
    '2024/05/01',
    '240501',
    '2024-05-01T00:00:00Z',
    ' 2024-05-01',
    '',
    '2024-00-10',
    '2024-04-31',
    'yesterday',
  ])('rejects %j', (input) => {
    expect(parseDay(input)).toBeUndefined();
  });
});

describe('parseDays', () => {
  it('sorts and drops duplicates across both formats', () => {
    expect(parseDays(['20240503', '2024-05-01', '2024-05-03'])).toEqual(['2024-05-01', '2024-05-03']);
  });

  it('names the offending entry and says what to use', () => {
    try {
      parseDays(['2024-05-01', '2024-13-45']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.status).toBe(400);
      expect(appError.errors).toEqual([
        { field: 'days[1]', message: '"2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD' },
      ]);
    }
  });
});
