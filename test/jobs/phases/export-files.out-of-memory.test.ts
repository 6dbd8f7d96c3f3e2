import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listInputs, stageInputs } from '../../../src/catalog/partition-inputs.ts';
import { loadConfig } from '../../../src/config.ts';
import type { PartitionedFile } from '../../../src/engine/parquet-queries.ts';
import { JobEngines } from '../../../src/jobs/job-engines.ts';
import { writeExport } from '../../../src/jobs/phases/export-files.ts';
import { startServer } from '../../../src/server.ts';
import { LocalStorage } from '../../../src/storage/local-storage.ts';
import type { TaskPlan } from '../../../src/tasks/task-model.ts';
import { apiClient, signUp } from '../../support/api.ts';
import { duck, expectedIntentCounts, intentPrefixes } from '../../support/duck.ts';
import { intentPlan } from '../../support/store-records.ts';

/**
 * One job exporting all 36 partitions of the shared tree (300,000 rows). Writing them in one
 * `COPY … PARTITION_BY` keeps every partition's rows in memory until the end: it needs 33-34 MB
 * with one thread (DuckDB 1.5), while one partition at a time fits in 16 MB. 24 MB sits between.
 */
const TOO_SMALL_FOR_ONE_PASS = '24MB';
const FALLBACK = 'export by partition after running out of memory';

const tree = inject('intentTree');
let scratchRoot: string;
let storage: LocalStorage;
let expected: Record<string, number>;
let plan: TaskPlan;

beforeAll(async () => {
  scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-export-oom-'));
  storage = new LocalStorage(scratchRoot);
  expected = await expectedIntentCounts(tree);
  // What an intent task without `where_expr` or `select` plans.
  plan = intentPlan(tree);
});
afterAll(() => fs.rmSync(scratchRoot, { recursive: true, force: true }));

interface Written {
  written: PartitionedFile[];
  logged: Array<{ message: string; fields: Record<string, unknown> }>;
}

/**
 * Writes the export of every partition with a job's DuckDB at `memoryLimit` and hands what it
 * wrote and logged to `check` while the files are still in the job's scratch folder.
 */
async function withExport(
  memoryLimit: string,
  check: (result: Written) => Promise<void>,
  threads = 1,
): Promise<void> {
  const engines = new JobEngines({ storage, engine: { memoryLimit, threads, timeoutMs: 120_000 } });
  const listed = await listInputs(storage, Object.keys(expected).sort(), plan, {});
  const inputs = await stageInputs(storage, listed, { footersOnly: false });
  const engine = engines.open(`job-${memoryLimit}`, plan);
  const logged: Written['logged'] = [];
  try {
    const { files: written } = await writeExport({
      ...(await engine),
      plan,
      inputs,
      storage,
      log: (message, fields) => logged.push({ message, fields }),
    });
    await check({ written, logged });
  } finally {
    inputs.release();
    await engines.retire(engine);
    await engines.close();
  }
}

/** Rows in the input and not in the export, and the other way round, per an independent DuckDB. */
async function differences(written: PartitionedFile[]): Promise<{ missing: number; extra: number }> {
  const input = `SELECT * EXCLUDE (day, prefix, score),
      concat('day=', strftime(day, '%Y-%m-%d'), '/prefix=', prefix, '/score=', score) AS part
    FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE})`;
  const output = written
    .map(
      (file) =>
        `SELECT *, '${file.partition}' AS part FROM read_parquet('${file.path}', hive_partitioning = false)`,
    )
    .join(' UNION ALL ');
  const [row] = await duck<{ missing: bigint; extra: bigint }>(
    `WITH input AS (${input}), output AS (${output})
     SELECT (SELECT count(*) FROM (FROM input EXCEPT ALL FROM output)) AS missing,
            (SELECT count(*) FROM (FROM output EXCEPT ALL FROM input)) AS extra`,
  );
  return { missing: Number(row!.missing), extra: Number(row!.extra) };
}

function rowsByPartition(written: PartitionedFile[]): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const file of written) rows[file.partition] = (rows[file.partition] ?? 0) + file.rows;
  return rows;
}

describe('an intent export that does not fit the job memory in one pass', () => {
  it('runs out of memory, writes one partition at a time instead, and exports every row', async () => {
    await withExport(TOO_SMALL_FOR_ONE_PASS, async ({ written, logged }) => {
      expect(logged.map((entry) => entry.message)).toEqual([FALLBACK]);
      expect(Object.keys(expected)).toHaveLength(36);
      expect(rowsByPartition(written)).toEqual(expected);
      expect(await differences(written)).toEqual({ missing: 0, extra: 0 });
    });
  });

  it('with two DuckDB threads too (the fallback writes one partition at a time), every row of every partition', async () => {
    await withExport(
      TOO_SMALL_FOR_ONE_PASS,
      async ({ written, logged }) => {
        expect(logged.map((entry) => entry.message)).toEqual([FALLBACK]);
        expect(rowsByPartition(written)).toEqual(expected);
        expect(await differences(written)).toEqual({ missing: 0, extra: 0 });
      },
      2,
    );
  });

  it('is written in one pass when the memory holds it, with the same rows', async () => {
    await withExport('1GB', async ({ written, logged }) => {
      expect(logged).toEqual([]);
      expect(rowsByPartition(written)).toEqual(expected);
      expect(await differences(written)).toEqual({ missing: 0, extra: 0 });
    });
  });
});

describe('an intent task whose export does not fit the job memory in one pass', () => {
  it('completes with every row of every partition', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-test-'));
    const loaded = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      DEMO_DATA: '0',
      INTENT_INPUT_PATH: tree,
      LOCAL_INPUT_ROOTS: `${dataDir},${tree}`,
      LOG_LEVEL: 'silent',
      // One export slot (and one count slot) and one thread: the whole task is one export job
      // over all 36 partitions.
      WORKER_CONCURRENCY: '1',
      COUNT_CONCURRENCY: '1',
      DUCKDB_THREADS: '1',
    });
    // Below the 128 MB that DUCKDB_MEMORY_LIMIT accepts: each of the two slots gets three quarters
    // of its half, 24 MB.
    const config = { ...loaded, engine: { ...loaded.engine, memoryBytes: 64e6 } };
    const server = await startServer(config);
    try {
      const api = apiClient(server.url, (await signUp(server.url)).apiKey);
      const days = [...new Set(Object.keys(expected).map((key) => key.slice(4, 14)))].sort();
      const taskId = await api.createIntentTask({
        days,
        topic_id_prefixes: await intentPrefixes(tree),
        scores: ['low', 'medium', 'high'],
      });
      const task = await api.waitFor(taskId, ['completed']);
      expect(task.counts).toEqual(expected);
      const files: PartitionedFile[] = task.files.map(
        (file: { uri: string; partition: string; rows: number }) => ({
          path: file.uri,
          partition: file.partition,
          rows: file.rows,
        }),
      );
      expect(rowsByPartition(files)).toEqual(expected);
      expect(await differences(files)).toEqual({ missing: 0, extra: 0 });
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
