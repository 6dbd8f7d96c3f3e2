import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetFooterError, parquetRowCounts } from '../../src/engine/parquet-footer.ts';
import { duck } from '../support/duck.ts';

let dir: string;
/** Files DuckDB wrote in shapes a footer reader must handle, each with its row count per DuckDB. */
const written: Array<{ file: string; label: string }> = [];

async function write(label: string, select: string, options = ''): Promise<void> {
  const file = path.join(dir, `${written.length}.parquet`);
  await duck(`COPY (${select}) TO '${file}' (FORMAT parquet${options})`);
  written.push({ file, label });
}

/** DuckDB's own reading of each footer: the independent answer. */
async function duckRows(files: string[]): Promise<number[]> {
  const rows = await duck<{ file: string; n: bigint }>(
    `SELECT file_name AS file, num_rows AS n FROM parquet_file_metadata([${files.map((f) => `'${f}'`).join(', ')}])`,
  );
  const byFile = new Map(rows.map((row) => [row.file, Number(row.n)]));
  return files.map((file) => byFile.get(file)!);
}

/** A copy of the file with every byte of its footer set to `byte` (length and magic kept). */
function fillFooter(byte: number): (bytes: Buffer) => Buffer {
  return (bytes) => {
    const copy = Buffer.from(bytes);
    copy.fill(byte, copy.length - 8 - copy.readUInt32LE(copy.length - 8), copy.length - 8);
    return copy;
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-footer-'));
  await write('one row', 'SELECT 1 AS a');
  await write('no rows', 'SELECT 1 AS a WHERE false');
  await write(
    'many row groups',
    'SELECT range AS a, range::VARCHAR AS b FROM range(250000)',
    ', ROW_GROUP_SIZE 10000',
  );
  await write('snappy', 'SELECT range AS a FROM range(1234)', ', COMPRESSION snappy');
  await write(
    'zstd, nested types',
    "SELECT range AS a, [range, 2] AS l, {'x': range} AS s, map([1], [true]) AS m FROM range(777)",
    ', COMPRESSION zstd',
  );
  // 400 columns with long names: the footer outgrows the first read of the tail.
  const wide = Array.from({ length: 400 }, (_, i) => `${i} AS column_with_a_rather_long_name_${i}`).join(
    ', ',
  );
  await write('footer larger than the first read', `SELECT ${wide} FROM range(3)`);
  await write(
    'row groups of a million rows',
    'SELECT range AS a FROM range(3000000)',
    ', ROW_GROUP_SIZE 1000000',
  );
  await write('booleans and doubles', 'SELECT range % 2 = 0 AS b, range / 3.0 AS d FROM range(100)');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('parquetRowCounts', () => {
  it('reads the row count of every file as DuckDB does', async () => {
    const files = written.map((w) => w.file);
    expect(await parquetRowCounts(files)).toEqual(await duckRows(files));
    // The wide footer really is larger than one read of the tail (16 KB).
    const wide = written.find((w) => w.label === 'footer larger than the first read')!.file;
    const bytes = fs.readFileSync(wide);
    expect(bytes.readUInt32LE(bytes.length - 8)).toBeGreaterThan(16 * 1024);
  });

  it('counts many files in one call, in order', async () => {
    const files = Array.from({ length: 100 }, (_, i) => written[i % written.length]!.file);
    expect(await parquetRowCounts(files)).toEqual(await duckRows(files));
  });

  describe('refuses what is not readable Parquet, naming the file', () => {
    const damaged: Array<[string, (bytes: Buffer) => Buffer, RegExp]> = [
      ['text, not Parquet', () => Buffer.from('not parquet at all'), /does not end with PAR1/],
      ['empty', () => Buffer.alloc(0), /too short/],
      ['encrypted footer', (b) => Buffer.concat([b.subarray(0, -4), Buffer.from('PARE')]), /encrypted/],
      ['cut in the middle', (b) => b.subarray(0, Math.floor(b.length / 2)), /does not end with PAR1/],
      [
        'footer length beyond the file',
        (b) => {
          const copy = Buffer.from(b);
          copy.writeUInt32LE(copy.length, copy.length - 8);
          return copy;
        },
        /footer length \d+ does not fit/,
      ],
      ['footer zeroed', fillFooter(0), /footer is damaged/],
      ['footer of 0xff bytes', fillFooter(0xff), /footer is damaged/],
    ];
    it.each(damaged)('%s', async (_label, damage, reason) => {
      const file = path.join(dir, `damaged-${Math.random().toString(36).slice(2)}.parquet`);
      fs.writeFileSync(file, damage(fs.readFileSync(written[2]!.file)));
      const error = await parquetRowCounts([written[0]!.file, file]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ParquetFooterError);
      expect((error as ParquetFooterError).path).toBe(file);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(reason);
    });

    it('a file that does not exist', async () => {
      const file = path.join(dir, 'missing.parquet');
      const error = await parquetRowCounts([file]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ParquetFooterError);
      expect((error as Error).message).toMatch(/ENOENT/);
    });
  });

  it('never hangs or throws anything else on randomly damaged footers', async () => {
    const original = fs.readFileSync(written[4]!.file);
    const footerLength = original.readUInt32LE(original.length - 8);
    const footerStart = original.length - 8 - footerLength;
    // A seeded generator, so a failure can be replayed.
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const file = path.join(dir, 'fuzzed.parquet');
    const [expected] = await duckRows([written[4]!.file]);
    let refused = 0;
    for (let round = 0; round < 500; round++) {
      const copy = Buffer.from(original);
      const flips = 1 + Math.floor(random() * 8);
      for (let i = 0; i < flips; i++) {
        copy[footerStart + Math.floor(random() * footerLength)] = Math.floor(random() * 256);
      }
      fs.writeFileSync(file, copy);
      const result = await parquetRowCounts([file]).catch((e: unknown) => e);
      if (result instanceof ParquetFooterError) refused += 1;
      else {
        // A flip that misses the fields on the way to num_rows still reads a count; one that lands in
        // num_rows itself reads another number. Either way it is a whole, non-negative number.
        expect(result).toEqual([expect.any(Number)]);
        const [rows] = result as number[];
        expect(Number.isSafeInteger(rows) && rows! >= 0).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(expected).toBe(777);
  });
});
