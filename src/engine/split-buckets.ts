/**
 * Which part of a split people export (A/B tests, holdouts) a person falls in, as SQL. A person's part is a
 * pure function of a salt and the person's value, the same in every version of the service
 * (docs/activation.md, "Splits and holdouts"):
 *
 *   bucket = first 8 bytes of SHA-256(salt ‖ value), read as a big-endian unsigned 64-bit integer, mod 10,000
 *
 * with `salt ‖ value` the UTF-8 bytes of the two strings joined; each part takes a range of buckets.
 */
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** Buckets a person falls in: a part's share is a whole number of them (one is 0.01 %). */
export const SPLIT_BUCKETS = 10_000;

/** One part: its name and buckets [from, to); a part not delivered is a holdout. */
export interface SplitRange {
  name: string;
  deliver: boolean;
  from: number;
  to: number;
}

/** What a split is made of: the salt and the parts, whose ranges cover every bucket end to end. */
export interface Splits {
  salt: string;
  splits: readonly SplitRange[];
}

/**
 * SQL: the bucket (0 to 9,999) of a person whose value, as text, is `text` (an SQL expression of
 * type VARCHAR). `sha256` gives 64 lower-case hex characters; the first 16 are the first 8 bytes,
 * cast from hex to an unsigned 64-bit integer.
 */
export function splitBucketSql(text: string, salt: string): string {
  return hashBucketSql(`${quoteString(salt)} || (${text})`, SPLIT_BUCKETS);
}

/**
 * SQL: the first 8 bytes of SHA-256 of `text` (an SQL expression of type VARCHAR, hashed as UTF-8),
 * read as a big-endian unsigned 64-bit integer, modulo `buckets`: the hash behind split parts and
 * the slices of a unique count, a pure function of the text in every version of the service.
 */
export function hashBucketSql(text: string, buckets: number): string {
  return `(('0x' || substr(sha256(${text}), 1, 16))::UBIGINT % ${Math.trunc(buckets)})`;
}

/** Every part with no people: the figures of a split over no input. */
export function zeroParts({ splits }: Splits): Record<string, number> {
  return Object.fromEntries(splits.map((split) => [split.name, 0]));
}

/** SQL: the name of the part bucket `bucket` (an SQL expression) falls in. */
export function splitNameSql(bucket: string, { splits }: Splits): string {
  const cases = splits.map((split) => `WHEN ${bucket} < ${split.to} THEN ${quoteString(split.name)}`);
  return `CASE ${cases.join(' ')} END`;
}

/** SQL: a value of any type as the text that is hashed (DuckDB's own cast to VARCHAR). */
export function personText(column: string): string {
  return `CAST(${quoteIdentifier(column)} AS VARCHAR)`;
}
