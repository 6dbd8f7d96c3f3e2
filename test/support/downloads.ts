import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { duck } from './duck.ts';

/**
 * Downloads every file of a task detail through its link into `dir`, as a client would, and checks
 * each against the detail: status 200, `size_bytes` bytes, and `rows` rows as DuckDB reads the file
 * (Parquet from its metadata, CSV and JSON Lines by reading it). Returns the local copies, named
 * with the file's own extension.
 */
export async function downloadFiles(
  files: ReadonlyArray<{ url: string; uri?: string; rows: number; size_bytes: number }>,
  dir: string,
): Promise<string[]> {
  const copies: string[] = [];
  for (const [i, file] of files.entries()) {
    const response = await fetch(file.url);
    expect(response.status, file.url).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(file.size_bytes);
    const name = file.uri ? path.basename(file.uri) : 'data.parquet';
    const copy = path.join(dir, `${Date.now()}-${i}-${name}`);
    fs.writeFileSync(copy, bytes);
    const rows = /\.parquet$/.test(name)
      ? `SELECT sum(num_rows) AS n FROM parquet_file_metadata('${copy}')`
      : /\.csv(\.gz)?$/.test(name)
        ? `SELECT count(*) AS n FROM read_csv('${copy}', header = true, all_varchar = true)`
        : `SELECT count(*) AS n FROM read_ndjson_objects('${copy}')`;
    const [counted] = await duck<{ n: bigint }>(rows);
    expect(Number(counted!.n)).toBe(file.rows);
    copies.push(copy);
  }
  return copies;
}
