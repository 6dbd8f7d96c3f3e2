import fs from 'node:fs';
import path from 'node:path';
import { type S3Proxy, startS3Proxy } from '../harness/s3-proxy.ts';
import { startS3 } from '../harness/s3rver.ts';
import { AudiencesApi } from './api.ts';
import type { CpuLoad } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import { loadLine, table } from './markdown.ts';
import type { BenchOptions } from './options.ts';
import { countSql, rawQuery } from './raw-duckdb.ts';
import { startService } from './service.ts';
import { int, mb, mb2, median, ms, samples } from './stats.ts';
import type { TargetRow } from './targets.ts';
import { allPartitions, FILTER } from './workload.ts';

/** The target: bytes a ranged count fetches, against the least it could (footers and needed chunks). */
export const OBJECT_BYTES_TARGET = 1.25;
const BUCKET = 'bench';
const PREFIX = 'tree';

/** How a service stages its inputs from the object store: whole objects, or ranged reads of what it reads. */
export type StagingMode = 'whole' | 'ranged';

/** One filtered count over the tree in s3rver, by a fresh service (an empty staging cache). */
export interface ObjectCountRun {
  mode: StagingMode;
  /** Create sent → `counted` seen. */
  ms: number;
  /** Bytes of object GETs' answers (not listings), as they went through the proxy. */
  objectBytes: number;
  objectGets: number;
  /** Bytes of the listings' answers. */
  listBytes: number;
  countsEqual: boolean;
}

/** Section 22: the filtered count of section 2 over the same tree uploaded to s3rver. */
export interface ObjectCountResult {
  objects: number;
  treeBytes: number;
  /** Each object's footer with its length and magic (8 bytes), read from the files' tails. */
  footerBytes: number;
  /**
   * The chunks of the filter's columns in the row groups whose statistics let the filter match
   * (DuckDB's `parquet_metadata`, the filter's conditions written out against each row group's
   * minimum and maximum).
   */
  neededChunkBytes: number;
  rowGroups: number;
  matchingRowGroups: number;
  runs: ObjectCountRun[];
}

/** The least a count can fetch: footers and the chunks it needs. */
export function minimumBytes(result: ObjectCountResult): number {
  return result.footerBytes + result.neededChunkBytes;
}

/** Median object bytes and time of one mode's runs. */
export function medianOf(result: ObjectCountResult, mode: StagingMode): { bytes: number; ms: number } {
  const runs = result.runs.filter((run) => run.mode === mode);
  return { bytes: median(runs.map((run) => run.objectBytes)), ms: median(runs.map((run) => run.ms)) };
}

export function objectCountsEqual(result: ObjectCountResult): boolean {
  return result.runs.length > 0 && result.runs.every((run) => run.countsEqual);
}

/**
 * Uploads the tree to a private s3rver (kept under the work folder for the next run), puts a
 * byte-counting proxy in front, and runs the filtered count with a fresh service per run, in turn
 * with whole-object staging (`RANGED_READS=0`, as before ranged reads) and with ranged reads.
 */
export async function measureObjectCount(
  options: BenchOptions,
  dataset: Dataset,
): Promise<ObjectCountResult> {
  const directory = path.join(options.workDir, `s3rver-${path.basename(dataset.dir)}`);
  const marker = `${directory}.complete`;
  if (!fs.existsSync(marker)) fs.rmSync(directory, { recursive: true, force: true });
  const s3 = await startS3({ directory });
  let proxy: S3Proxy | undefined;
  try {
    if (!fs.existsSync(marker)) {
      options.log(`uploading the tree to s3rver (${directory})`);
      await s3.createBucket(BUCKET);
      await s3.uploadTree(dataset.dir, BUCKET, PREFIX);
      fs.writeFileSync(marker, new Date().toISOString());
    }
    proxy = await startS3Proxy(s3);
    const expected = await expectedCounts(dataset, options.threads);
    const runs: ObjectCountRun[] = [];
    const rounds = options.tiny ? 1 : 3;
    for (let round = 0; round < rounds; round++) {
      const order: StagingMode[] = round % 2 === 0 ? ['whole', 'ranged'] : ['ranged', 'whole'];
      for (const mode of order) runs.push(await countOnce(options, dataset, proxy, mode, round, expected));
    }
    return { ...(await leastBytes(dataset, options.threads)), runs };
  } finally {
    await proxy?.close();
    await s3.close();
  }
}

async function countOnce(
  options: BenchOptions,
  dataset: Dataset,
  proxy: S3Proxy,
  mode: StagingMode,
  round: number,
  expected: Record<string, number>,
): Promise<ObjectCountRun> {
  const service = await startService(options, dataset, `objects-${mode}-${round}`, {
    ...proxy.env,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    S3_REGION: 'us-east-1',
    INTENT_INPUT_PATH: `s3://${BUCKET}/${PREFIX}`,
    RANGED_READS: mode === 'ranged' ? '1' : '0',
  });
  const api = new AudiencesApi(service.server.url);
  try {
    await api.signUp(`objects-${mode}-${round}`);
    const mark = proxy.gets.length;
    const body = allPartitions(dataset, { where_expr: FILTER, perform_unload: false });
    const run = await api.withSteps(() => api.run(body, 'counted'));
    const gets = proxy.gets.slice(mark).filter((get) => get.bucket === BUCKET);
    const objects = gets.filter((get) => get.key !== '');
    const result: ObjectCountRun = {
      mode,
      ms: run.totalMs,
      objectBytes: objects.reduce((sum, get) => sum + get.bytes, 0),
      objectGets: objects.length,
      listBytes: gets.filter((get) => get.key === '').reduce((sum, get) => sum + get.bytes, 0),
      countsEqual: sameCounts(run.detail.counts, expected),
    };
    options.log(
      `object store count (${mode}): ${run.totalMs.toFixed(0)} ms, ${(result.objectBytes / 1e6).toFixed(2)} MB in ${objects.length} GETs`,
    );
    return result;
  } finally {
    api.close();
    await service.server.stop();
    fs.rmSync(service.dataDir, { recursive: true, force: true });
  }
}

/** Rows per partition (`day=…/prefix=…/score=…`) that pass the filter, from raw DuckDB over the local tree. */
async function expectedCounts(dataset: Dataset, threads: number): Promise<Record<string, number>> {
  const { rows } = await rawQuery(countSql(dataset.dir, FILTER), threads);
  return Object.fromEntries(
    rows.map((row) => [
      `day=${String(row.day).slice(0, 10)}/prefix=${String(row.prefix)}/score=${String(row.score)}`,
      Number(row.n),
    ]),
  );
}

function sameCounts(got: Record<string, number>, expected: Record<string, number>): boolean {
  const nonZero = Object.entries(got).filter(([, n]) => n > 0);
  return nonZero.length === Object.keys(expected).length && nonZero.every(([key, n]) => expected[key] === n);
}

/**
 * The least a filtered count must fetch, computed from the files themselves: every footer (its
 * length from the file's last 8 bytes), and the chunks of `FILTER`'s three columns in the row groups
 * whose minimum and maximum let `intent_score >= 60 AND country IN ('US','DE','GB') AND seniority <>
 * 'Entry'` hold for some row.
 */
async function leastBytes(dataset: Dataset, threads: number): Promise<Omit<ObjectCountResult, 'runs'>> {
  const files = fs
    .readdirSync(dataset.dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet'))
    .map((entry) => path.join(entry.parentPath, entry.name));
  let footerBytes = 0;
  let treeBytes = 0;
  const tail = Buffer.alloc(8);
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      const { size } = fs.fstatSync(fd);
      fs.readSync(fd, tail, 0, 8, size - 8);
      footerBytes += tail.readUInt32LE(0) + 8;
      treeBytes += size;
    } finally {
      fs.closeSync(fd);
    }
  }
  if (FILTER !== "intent_score >= 60 AND country IN ('US','DE','GB') AND seniority <> 'Entry'") {
    throw new Error('leastBytes writes out the conditions of FILTER: update it with the filter');
  }
  const { rows } = await rawQuery(
    `WITH m AS (SELECT file_name, row_group_id, path_in_schema AS col, total_compressed_size AS bytes,
                       stats_min AS lo, stats_max AS hi
                FROM parquet_metadata('${dataset.dir}/**/*.parquet')),
          g AS (SELECT file_name, row_group_id,
                       bool_and(CASE col
                         WHEN 'intent_score' THEN hi IS NULL OR hi::INTEGER >= 60
                         WHEN 'country' THEN lo IS NULL OR list_bool_or([lo <= v AND v <= hi FOR v IN ['US', 'DE', 'GB']])
                         WHEN 'seniority' THEN lo IS NULL OR NOT (lo = 'Entry' AND hi = 'Entry')
                         ELSE true END) AS can_match
                FROM m GROUP BY ALL)
     SELECT count(*) AS groups, count(*) FILTER (WHERE can_match) AS matching,
            (SELECT sum(bytes) FROM m JOIN g USING (file_name, row_group_id)
             WHERE can_match AND col IN ('intent_score', 'country', 'seniority')) AS needed
     FROM g`,
    threads,
  );
  const row = rows[0]!;
  return {
    objects: files.length,
    treeBytes,
    footerBytes,
    neededChunkBytes: Number(row.needed),
    rowGroups: Number(row.groups),
    matchingRowGroups: Number(row.matching),
  };
}

/** The target row: bytes against the least a count could fetch, and the counts against DuckDB. */
export function objectCountRow(result: ObjectCountResult): TargetRow {
  const ranged = medianOf(result, 'ranged');
  const whole = medianOf(result, 'whole');
  const share = ranged.bytes / minimumBytes(result);
  const equal = objectCountsEqual(result);
  return {
    target: `bytes fetched by a filtered count over S3 (s3rver, ${int(result.objects)} objects)`,
    goal: `≤ ${OBJECT_BYTES_TARGET}× the footers and needed column chunks; counts equal to DuckDB's`,
    measured:
      `${share.toFixed(2)}× (${mb2(ranged.bytes)} of ${mb2(minimumBytes(result))}; whole objects ${mb(whole.bytes)}); ` +
      `time ${ms(ranged.ms)} against ${ms(whole.ms)} staging whole objects; counts ${equal ? 'equal' : 'DIFFERENT'}`,
    met: share <= OBJECT_BYTES_TARGET && equal,
  };
}

/** Section 22 of the report. */
export function objectCountSection(result: ObjectCountResult, load: CpuLoad | undefined): string {
  const row = (mode: StagingMode, label: string) => {
    const runs = result.runs.filter((run) => run.mode === mode);
    const m = medianOf(result, mode);
    return [
      label,
      mb2(m.bytes),
      int(median(runs.map((run) => run.objectGets))),
      ms(m.ms),
      samples(runs.map((run) => run.ms)),
    ];
  };
  return [
    '## 22. A filtered count over object storage',
    '',
    `The filtered count of section 2 (\`where_expr: ${FILTER}\`, every partition) over the same tree ` +
      `uploaded to s3rver (${int(result.objects)} objects, ${mb(result.treeBytes)}), read through a proxy that ` +
      'counts the bytes of each answer. Each run is a fresh service (an empty staging cache), in turn staging whole ' +
      'objects (`RANGED_READS=0`, as every count did before) and fetching only what the count reads: each ' +
      "object's footer, then in the row groups the filter's integer bounds do not rule out the chunks of its " +
      'columns, as a sparse local copy. The least a count can fetch is computed apart from the service: every ' +
      "footer (its length from the file's last 8 bytes) and the chunks of the filter's three columns in the row " +
      "groups whose minimum and maximum let the filter hold (DuckDB's `parquet_metadata`; " +
      `${int(result.matchingRowGroups)} of ${int(result.rowGroups)} row groups).`,
    '',
    table(
      ['staging', 'object bytes', 'GETs', 'create → counted', 'samples (ms)'],
      [row('whole', 'whole objects'), row('ranged', 'footers and column chunks')],
    ),
    '',
    `- The least a count can fetch: ${mb2(minimumBytes(result))} (footers ${mb2(result.footerBytes)}, ` +
      `column chunks ${mb2(result.neededChunkBytes)}). Listings, the same in both: ${mb2(result.runs[0]?.listBytes ?? 0)}.`,
    `- Counts per partition equal to raw DuckDB's over the local tree in every run: ${objectCountsEqual(result) ? 'yes' : '**no**'}.`,
    loadLine(load),
    '',
  ].join('\n');
}
