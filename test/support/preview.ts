import { duck } from './duck.ts';

export interface PreviewColumn {
  name: string;
  type: string;
}

/** The intent tree read as the service reads it (Hive columns, `day` a DATE). */
export function intentRelation(tree: string): string {
  return `read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`;
}

/** Names and DuckDB types of `select` over a relation, straight from DuckDB. */
export async function columnsOf(select: string, relation: string): Promise<PreviewColumn[]> {
  const rows = await duck<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT ${select} FROM ${relation}`,
  );
  return rows.map((row) => ({ name: row.column_name, type: row.column_type }));
}

function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * How many previewed rows are not rows of the segment: each must equal, in every column, a row of
 * `relation` that passes `where`. The JSON values are cast back to the column's type (an ISO 8601
 * timestamp to TIMESTAMP, a date string to DATE), so their format is checked too.
 */
export async function rowsOutsideSegment(
  relation: string,
  where: string,
  columns: readonly PreviewColumn[],
  rows: ReadonlyArray<Record<string, unknown>>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const values = rows.map((row) => `(${columns.map((c) => literal(row[c.name])).join(', ')})`).join(', ');
  const match = columns
    .map((c) => `s."${c.name}" IS NOT DISTINCT FROM CAST(p."${c.name}" AS ${c.type})`)
    .join(' AND ');
  const [result] = await duck<{ n: bigint | number }>(
    `SELECT count(*) AS n FROM (VALUES ${values}) AS p(${names})
     WHERE NOT EXISTS (SELECT 1 FROM ${relation} AS s WHERE (${where}) AND ${match})`,
  );
  return Number(result!.n);
}
