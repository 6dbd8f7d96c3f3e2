/**
 * Hash passes: a set of members too large for one query's memory is gone through in `of` passes,
 * pass `pass` keeping only the rows whose member's DuckDB `hash` modulo `of` is `pass`. `hash` gives
 * one value the same hash in every query of one DuckDB, so a member falls in one pass only and all
 * of one member's rows fall in it together: per-member figures (a person's folded row, their
 * distinct prefixes and days) are whole within a pass, and the passes' counts add up to the whole's.
 * Each pass holds about `1/of` of the members, at the cost of reading the input `of` times.
 */
export interface HashPass {
  pass: number;
  of: number;
}

/** Every member at once. */
export const ONE_PASS: HashPass = { pass: 0, of: 1 };

/** Passes over `bytes` of input, one per `maxPassBytes`: at least 1, at most `most`. */
export function passesFor(bytes: number, maxPassBytes: number | undefined, most: number): number {
  if (maxPassBytes === undefined || bytes <= maxPassBytes) return 1;
  return Math.min(most, Math.ceil(bytes / maxPassBytes));
}

/** Every pass of `of`, in order. */
export function hashPasses(of: number): HashPass[] {
  return Array.from({ length: of }, (_, pass) => ({ pass, of }));
}

/**
 * The condition keeping a pass's rows, on `member` (an SQL expression: a quoted column, or one cast
 * to the type several sets' members meet in); null for a single pass, which keeps every row.
 */
export function passConditionSql(member: string, { pass, of }: HashPass): string | null {
  return of === 1 ? null : `hash(${member}) % ${Math.trunc(of)} = ${Math.trunc(pass)}`;
}

/** `whereSql` and the pass's condition, both to hold. */
export function withPassSql(whereSql: string | null, member: string, pass: HashPass): string | null {
  const condition = passConditionSql(member, pass);
  if (condition === null) return whereSql;
  return whereSql === null ? condition : `(${whereSql}) AND ${condition}`;
}
