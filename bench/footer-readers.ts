/**
 * `npm run bench:footers`: the service's own Parquet footer reader (`engine/parquet-footer.ts`)
 * against hyparquet's metadata reader, over the files of the benchmark tree. An un-filtered count
 * reads nothing but these footers, so this is the part of that benchmark the choice changes.
 *
 * Three readers, rotated each round so none always runs on a warmer cache:
 * - `own`: `parquetRowCounts` (tail read synchronously, `num_rows` decoded, the rest skipped);
 * - `hyparquet`: the library as documented (`asyncBufferFromFile` + `parquetMetadataAsync`);
 * - `hyparquet sync tail`: the same synchronous tail read as `own`, decoded by `parquetMetadata`,
 *   which isolates the decoding cost from hyparquet's stream-based file reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadata, parquetMetadataAsync } from 'hyparquet';
import { parquetRowCounts } from '../src/engine/parquet-footer.ts';
import { ensureDataset } from './dataset.ts';
import { parseOptions } from './options.ts';
import { median } from './stats.ts';

const ROUNDS = 15;
const TAIL = 16 * 1024;

type Reader = (files: readonly string[]) => Promise<number>;

const readers: Record<string, Reader> = {
  own: async (files) => (await parquetRowCounts(files)).reduce((a, b) => a + b, 0),
  hyparquet: async (files) => {
    let rows = 0;
    for (const file of files) {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
      rows += Number(metadata.num_rows);
    }
    return rows;
  },
  'hyparquet sync tail': async (files) => {
    let rows = 0;
    for (const file of files) rows += Number(parquetMetadata(syncTail(file)).num_rows);
    return rows;
  },
};

/** The file's last bytes, holding the whole footer (read again when it is larger than the first read). */
function syncTail(file: string): ArrayBuffer {
  const fd = fs.openSync(file, 'r');
  try {
    const { size } = fs.fstatSync(fd);
    let length = Math.min(size, TAIL);
    let buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const footer = buffer.readUInt32LE(length - 8) + 8;
    if (footer > length) {
      length = footer;
      buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
    }
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  } finally {
    fs.closeSync(fd);
  }
}

function parquetFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.parquet'))
    .map((name) => path.join(dir, name))
    .sort();
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const options = parseOptions(process.argv.slice(2), process.env, root);
const dataset = await ensureDataset(options);
const files = parquetFiles(dataset.dir);
const names = Object.keys(readers);
const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length]!;
    const started = performance.now();
    const rows = await readers[name]!(files);
    const elapsed = performance.now() - started;
    if (rows !== dataset.rows) throw new Error(`${name} read ${rows} rows; the tree holds ${dataset.rows}`);
    // Round 0 warms the page cache and the JIT for every reader.
    if (round > 0) times[name]!.push(elapsed);
  }
}
const own = median(times.own!);
console.log(`${files.length} files, ${dataset.rows} rows, median of ${ROUNDS} rounds:\n`);
console.log('| reader | median ms | × own |\n| --- | --- | --- |');
for (const name of names) {
  const m = median(times[name]!);
  console.log(`| ${name} | ${m.toFixed(1)} | ${(m / own).toFixed(2)} |`);
}
