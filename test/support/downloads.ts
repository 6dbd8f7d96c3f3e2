import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { duck } from './duck.ts';

/**
 * Downloads every file of a task detail through its link into `dir`, as a client would, and checks
 * each against the detail: status 200, `size_bytes` bytes, and `rows` rows by DuckDB's reading of
 * the file's metadata. Returns the local copies.
 */
export async function downloadFiles(
  files: ReadonlyArray<{ url: string; rows: number; size_bytes: number }>,
  dir: string,
): Promise<string[]> {
  const copies: string[] = [];
  for (const [i, file] of files.entries()) {
    const response = await fetch(file.url);
    expect(response.status, file.url).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(file.size_bytes);
    const copy = path.join(dir, `${Date.now()}-${i}.parquet`);
    fs.writeFileSync(copy, bytes);
    const [meta] = await duck<{ n: bigint }>(
      `SELECT sum(num_rows) AS n FROM parquet_file_metadata('${copy}')`,
    );
    expect(Number(meta!.n)).toBe(file.rows);
    copies.push(copy);
  }
  return copies;
}
