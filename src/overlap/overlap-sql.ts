import { type HashPass, withPassSql } from '../engine/hash-passes.ts';
import { type ParquetSource, parquetRelation } from '../engine/parquet-queries.ts';
import { type PeopleQuery, peopleValuesSql } from '../engine/people-queries.ts';
import { quoteIdentifier } from '../engine/sql-quote.ts';

/** One set of an overlap: the distinct non-null `personBy` values of a task's segment. */
export interface OverlapSegment {
  source: ParquetSource;
  /** The column (a checked name) whose distinct non-null values are the set's members. */
  personBy: string;
  /** The filter rendered from a checked expression; null keeps every row. */
  whereSql: string | null;
  /** A people task's rules (min_topics, min_days …): members are the people its export writes. */
  people: PeopleQuery | null;
}

/** How many members belong to exactly the sets of `mask` (bit i: set i). */
export interface MaskCount {
  mask: number;
  count: number;
}

/**
 * One of `of` hash passes (`engine/hash-passes.ts`), the member hashed as `type` (the type every
 * set's members take in the query, `memberTypeSql`): a member falls in one pass only, the same for
 * every set, so the passes' mask counts add up to the whole's.
 */
export interface OverlapPass extends HashPass {
  type: string;
}

/** Every member at once. */
export const WHOLE: OverlapPass = { pass: 0, of: 1, type: 'VARCHAR' };

/**
 * The query whose one column has the type every set's members are compared as (`DESCRIBE` it):
 * sets whose columns are typed differently (INTEGER and DECIMAL, say) meet in a common type, and a
 * pass hashes members as that type, so 1 and 1.00 fall in the same pass as they are one member.
 */
export function memberTypeSql(segments: readonly OverlapSegment[]): string {
  return segments.map((segment) => membersSql(segment)).join(' UNION ALL ');
}

/**
 * The distinct members of one segment (those of `slice` only), as the column `m`. The pass's
 * condition is on the input rows, so a people segment folds only the people of the pass.
 */
export function membersSql(segment: OverlapSegment, slice: OverlapPass = WHOLE): string {
  const person = quoteIdentifier(segment.personBy);
  // A segment without files has no members; NULL takes the type of the other sets' members.
  if (segment.source.files.length === 0) return 'SELECT NULL AS m WHERE false';
  const withPass = (whereSql: string | null) =>
    withPassSql(whereSql, `CAST(${person} AS ${slice.type})`, slice);
  if (segment.people) {
    const people = { ...segment.people, whereSql: withPass(segment.people.whereSql) };
    return `SELECT DISTINCT ${person} AS m FROM (${peopleValuesSql(segment.source, people)})`;
  }
  const filter = withPass(segment.whereSql);
  const where = filter === null ? '' : `(${filter}) AND `;
  return `SELECT DISTINCT ${person} AS m FROM ${parquetRelation(segment.source, false)} WHERE ${where}${person} IS NOT NULL`;
}

/**
 * Every member of any set (of one hash pass) folded to the bit mask of the sets that hold it,
 * counted by mask: from the counts of every pass, every set size, intersection and Venn region
 * follows exactly.
 */
export function maskCountsSql(segments: readonly OverlapSegment[], slice: OverlapPass = WHOLE): string {
  const sets = segments.map((segment, i) => `s${i} AS (${membersSql(segment, slice)})`);
  const tagged = segments.map((_, i) => `SELECT m, ${2 ** i} AS bit FROM s${i}`).join(' UNION ALL ');
  return (
    `WITH ${sets.join(', ')}, masks AS (SELECT m, bit_or(bit) AS mask FROM (${tagged}) GROUP BY m) ` +
    'SELECT mask, count(*) AS n FROM masks GROUP BY mask ORDER BY mask'
  );
}

/** What the mask counts say of `n` sets. */
export interface OverlapFigures {
  sizes: number[];
  union: number;
  /** Every pair i < j: its intersection, union and Jaccard index (0 when both sets are empty). */
  pairs: { a: number; b: number; intersection: number; union: number; jaccard: number }[];
  /** For 2-3 sets, every region of the Venn diagram (mask 1 … 2^n - 1), in mask order; else null. */
  regions: MaskCount[] | null;
}

export const VENN_MAX_SETS = 3;

export function overlapFigures(n: number, counts: readonly MaskCount[]): OverlapFigures {
  const sum = (test: (mask: number) => boolean) =>
    counts.reduce((total, { mask, count }) => total + (test(mask) ? count : 0), 0);
  const sizes = Array.from({ length: n }, (_, i) => sum((mask) => (mask & (1 << i)) !== 0));
  const pairs: OverlapFigures['pairs'] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const both = (1 << a) | (1 << b);
      const intersection = sum((mask) => (mask & both) === both);
      const union = sizes[a]! + sizes[b]! - intersection;
      pairs.push({ a, b, intersection, union, jaccard: union === 0 ? 0 : intersection / union });
    }
  }
  const regions =
    n <= VENN_MAX_SETS
      ? Array.from({ length: 2 ** n - 1 }, (_, i) => ({ mask: i + 1, count: sum((mask) => mask === i + 1) }))
      : null;
  return { sizes, union: sum(() => true), pairs, regions };
}
