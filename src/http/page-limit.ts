import { AppError } from '../errors.ts';

/** The `limit` of a listing's query string: 1 to 100, 20 when absent. */
export function pageLimit(raw: string | undefined): number {
  const limit = raw === undefined ? 20 : Number(raw);
  if (limit < 1 || limit > 100) {
    throw new AppError('validation_failed', 'limit: must be from 1 to 100', [
      { field: 'limit', message: 'must be from 1 to 100' },
    ]);
  }
  return limit;
}
