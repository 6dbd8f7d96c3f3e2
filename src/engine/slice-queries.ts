import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from './duckdb-sandbox.ts';
import { type ParquetSource, parquetRelation } from './parquet-queries.ts';
import { hashBucketSql, personText } from './split-buckets.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/**
 * Writes the distinct non-null values of `personBy` among the rows the filter keeps into
 * `targetDir/bucket={b}/…parquet`, one folder per slice that has any: the slice of a value is
 * `hashBucketSql` of its text, so all of one person's rows land in one slice whichever job reads
 * them. Answers the
 * files of each slice written.
 */
export async function writeSlices(
  sandbox: Sandbox,
  source: ParquetSource,
  query: { whereSql: string | null; personBy: string; buckets: number },
  targetDir: string,
): Promise<Map<number, string[]>> {
  const written = new Map<number, string[]>();
  if (source.files.length === 0) return written;
  const person = quoteIdentifier(query.personBy);
  const where = `WHERE ${query.whereSql === null ? '' : `(${query.whereSql}) AND `}${person} IS NOT NULL`;
  await sandbox.query(
    `COPY (SELECT ${person}, ${hashBucketSql(personText(query.personBy), query.buckets)} AS bucket ` +
      `FROM ${parquetRelation(source, false)} ${where} GROUP BY ALL) ` +
      `TO ${quoteString(targetDir)} (FORMAT parquet, PARTITION_BY (bucket), OVERWRITE_OR_IGNORE)`,
  );
  const folders = await fs.readdir(targetDir).catch(() => [] as string[]);
  for (const folder of folders) {
    const match = /^bucket=(\d+)$/.exec(folder);
    if (!match) continue;
    const files = (await fs.readdir(path.join(targetDir, folder)))
      .filter((name) => name.endsWith('.parquet'))
      .sort()
      .map((name) => path.join(targetDir, folder, name));
    if (files.length > 0) written.set(Number(match[1]), files);
  }
  return written;
}

/** The distinct non-null values of `column` across the files of one slice. */
export async function countDistinct(
  sandbox: Sandbox,
  files: readonly string[],
  column: string,
): Promise<number> {
  if (files.length === 0) return 0;
  const [row] = await sandbox.query(
    `SELECT count(DISTINCT ${quoteIdentifier(column)}) AS n FROM ${parquetRelation({ files, hive: false }, false)}`,
  );
  return Number(row?.n ?? 0);
}
