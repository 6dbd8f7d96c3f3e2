import { invalidField } from '../errors.ts';

/** The range of a `limit` in a query string, and its value when absent. */
export interface LimitRange {
  min: number;
  max: number;
  default: number;
}

/** A listing's page size: 1 to 100, 20 when absent. */
export const PAGE_LIMITS: LimitRange = { min: 1, max: 100, default: 20 };

/**
 * The `limit` of a query string within `range`. Every value outside it gets the one answer naming
 * the range, whatever is wrong with it (`0`, `500`, `1000`, `ten`, `2.5`).
 */
export function queryLimit(
  raw: string | undefined,
  range: LimitRange = PAGE_LIMITS,
  field = 'limit',
): number {
  if (raw === undefined) return range.default;
  const limit = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= range.min && limit <= range.max)) {
    throw invalidField(field, `must be from ${range.min} to ${range.max}`);
  }
  return limit;
}

/** The `limit` of a listing's query string: 1 to 100, 20 when absent. */
export function pageLimit(raw: string | undefined): number {
  return queryLimit(raw, PAGE_LIMITS);
}
