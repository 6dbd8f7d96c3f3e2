import { type ColumnChunk, parquetMetadata, type SchemaElement } from 'hyparquet';
import type { ColumnBound } from '../engine/sql-bounds.ts';
import { asciiLower } from '../engine/sql-columns.ts';

/** Byte ranges of a Parquet object, `[start, end)`, in file order, none overlapping. */
export type ByteRanges = Array<[number, number]>;

/** What a query reading some columns of one object needs of it beside its footer. */
export interface ChunkRanges {
  ranges: ByteRanges;
  /** Bytes the ranges cover. */
  bytes: number;
}

/**
 * Neighbouring ranges closer than this are read as one (as Arrow's `hole_size_limit`, half its
 * 8 KiB): a few unneeded bytes cost less than another request.
 */
const GAP_BYTES = 4 * 1024;

/**
 * The bytes a reader of `columns` needs beside the footer: in every row group that `bounds` do not
 * rule out, each chunk of those columns (its dictionary page and data pages) and its bloom filter,
 * which DuckDB consults for an equality filter. Column names are matched as DuckDB binds them (ASCII
 * case-insensitively), so a name is never missed for its case; a name that is not in the file (a
 * Hive column) needs nothing.
 *
 * A row group is ruled out only as DuckDB rules it out itself (it then reads none of its chunks,
 * though perhaps the bloom filters of its other filter columns first, which are kept): by the exact
 * minimum and maximum of a plain 32- or 64-bit integer column against a bound whose
 * value that type holds (see `integerBounds`), the column named exactly (a rendered filter names
 * columns as the file does; in doubt nothing is ruled out).
 *
 * `tail` is the end of the object: the footer, its length and `PAR1`; `size` the object's size.
 * Undefined when the footer cannot be planned from safely (damaged, chunks in other files, a bloom
 * filter of unknown length): the caller then reads the whole object, and DuckDB says what is wrong.
 *
 * The footer is decoded with hyparquet (every row group and column chunk); the ranges are ours.
 */
export function columnChunkRanges(
  tail: Uint8Array,
  size: number,
  columns: readonly string[],
  bounds: readonly ColumnBound[] = [],
): ChunkRanges | undefined {
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(tail);
  } catch {
    return undefined;
  }
  const wanted = new Set(columns.map(asciiLower));
  const dataEnd = size - tail.length;
  const ranges: ByteRanges = [];
  const integers = integerColumns(metadata.schema);
  for (const group of metadata.row_groups) {
    // DuckDB may consult a column's bloom filter before another filter rules the group out: those
    // few bytes are fetched for every group.
    const ruledOut = group.columns.some((chunk) => rulesOut(chunk, integers, bounds));
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (chunk.file_path || !meta) return undefined;
      if (!wanted.has(asciiLower(meta.path_in_schema[0] ?? ''))) continue;
      if (!ruledOut) {
        const data = Number(meta.data_page_offset);
        const dictionary = Number(meta.dictionary_page_offset ?? 0);
        const start = dictionary > 0 && dictionary < data ? dictionary : data;
        ranges.push([start, start + Number(meta.total_compressed_size)]);
      }
      if (meta.bloom_filter_offset !== undefined) {
        if (meta.bloom_filter_length === undefined) return undefined;
        const bloom = Number(meta.bloom_filter_offset);
        ranges.push([bloom, bloom + meta.bloom_filter_length]);
      }
    }
  }
  if (ranges.some(([start, end]) => start < 4 || end > dataEnd || end < start)) return undefined;
  const merged = coalesce(ranges);
  return { ranges: merged, bytes: merged.reduce((sum, [start, end]) => sum + end - start, 0) };
}

/** Top-level columns stored as plain signed integers, by exact name, with the range their type holds. */
function integerColumns(schema: readonly SchemaElement[]): Map<string, [bigint, bigint]> {
  const found = new Map<string, [bigint, bigint]>();
  // Depth-first: the root, then each element followed by its children.
  const after = (index: number): number => {
    let next = index + 1;
    for (let k = 0; k < (schema[index]?.num_children ?? 0); k++) next = after(next);
    return next;
  };
  for (let i = 1, k = 0; k < (schema[0]?.num_children ?? 0) && i < schema.length; k++, i = after(i)) {
    const element = schema[i]!;
    if (element.num_children || element.repetition_type === 'REPEATED') continue;
    const bits = element.type === 'INT32' ? 32 : element.type === 'INT64' ? 64 : 0;
    const logical = element.logical_type;
    const plain =
      bits > 0 &&
      (!logical || (logical.type === 'INTEGER' && logical.isSigned && logical.bitWidth === bits)) &&
      (!element.converted_type || element.converted_type === `INT_${bits}`);
    if (plain) found.set(element.name, [-(2n ** BigInt(bits - 1)), 2n ** BigInt(bits - 1) - 1n]);
  }
  return found;
}

/** A bound no row of this chunk meets, by the chunk's exact minimum and maximum. */
function rulesOut(
  chunk: ColumnChunk,
  integers: ReadonlyMap<string, [bigint, bigint]>,
  bounds: readonly ColumnBound[],
): boolean {
  const meta = chunk.meta_data;
  if (meta?.path_in_schema.length !== 1) return false;
  const name = meta.path_in_schema[0]!;
  const range = integers.get(name);
  const stats = meta.statistics;
  if (!range || !stats || !isInteger(stats.min_value) || !isInteger(stats.max_value)) return false;
  const min = BigInt(stats.min_value);
  const max = BigInt(stats.max_value);
  return bounds.some(
    ({ column, op, value }) =>
      column === name && value >= range[0] && value <= range[1] && !MEETS[op](value, min, max),
  );
}

/** Whether some value within [min, max] can meet `x op value`. */
const MEETS: Record<ColumnBound['op'], (value: bigint, min: bigint, max: bigint) => boolean> = {
  '=': (value, min, max) => min <= value && value <= max,
  '<': (value, min) => min < value,
  '<=': (value, min) => min <= value,
  '>': (value, _min, max) => max > value,
  '>=': (value, _min, max) => max >= value,
};

function isInteger(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
}

/** Sorts the ranges and joins those that overlap or lie closer than `GAP_BYTES`. */
function coalesce(ranges: ByteRanges): ByteRanges {
  const sorted = ranges.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  const merged: ByteRanges = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start - last[1] <= GAP_BYTES) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
