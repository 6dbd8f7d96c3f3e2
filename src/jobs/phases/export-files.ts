import { createHash } from 'node:crypto';
import path from 'node:path';
import pMap from 'p-map';
import { activationProfile } from '../../activation/profiles.ts';
import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { compareText } from '../../compare.ts';
import { isOutOfMemory, type Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { FileTarget, ParquetCompression, WrittenFiles } from '../../engine/file-writer.ts';
import { exportPartitioned, exportRows, type PartitionedFile } from '../../engine/parquet-queries.ts';
import { exportPeople, peopleValuesSql } from '../../engine/people-queries.ts';
import { exportIdentifiers } from '../../engine/profile-files.ts';
import type { Storage } from '../../storage/storage.ts';
import type { JobOutcome, TaskRecord } from '../../store/store.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import {
  ALL,
  DEFAULT_LAYOUT,
  PEOPLE,
  type PeoplePlan,
  type ProfilePlan,
  peopleOf,
  profileOf,
  type SegmentFiguresView,
  splitsOf,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import { taskOutputRoot } from '../../tasks/task-outputs.ts';
import { exportDelta } from './delta-members.ts';
import { sha256Of } from './file-checksums.ts';
import { peopleFigures } from './people-figures.ts';
import { exportPeopleSplitsOf, exportProfileSplitsOf } from './split-exports.ts';

/** What writing one job's export needs: its DuckDB, its scratch folder, what to read and how. */
export interface ExportJob {
  sandbox: Sandbox;
  /** The job's scratch folder; files are written under it, then published. */
  scratch: string;
  plan: TaskPlan;
  inputs: JobInputs;
  /** Codec of Parquet files when the request names none. @defaultValue `snappy` */
  compression?: ParquetCompression;
  /** Problems worth a warning (a fallback). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Where a delta run's members snapshots are read from. */
  storage: Storage;
}

/** Where a task's exports go: `{task output root}/{partition}/` (see `taskOutputRoot`). */
export interface ExportDestination {
  storage: Storage;
  outputPath: string;
  task: Pick<TaskRecord, 'id' | 'organizationId' | 'request'>;
}

/** Partitions published at once (each upload is a few requests on an object store). */
const PARALLEL_PUBLISHES = 4;

/**
 * A job's written files, and the figures of the segment when its export counted them as it wrote
 * (a profile export that exports at once, see `countsAsItWrites`, or a split export). A split
 * export's parts not delivered are `heldBack`: kept in the service's own area, not in the output.
 */
export type WrittenExport = WrittenFiles<PartitionedFile> & {
  figures?: SegmentFiguresView;
  heldBack?: PartitionedFile[];
};

/**
 * Writes a job's export into its scratch folder. A people export or a single file is one statement
 * over every partition. Intent partitions in Parquet or CSV without a size bound are written in one pass;
 * when that runs out of memory, one partition at a time. Other partitions are written one by one.
 */
export async function writeExport(job: ExportJob): Promise<WrittenExport> {
  const people = peopleOf(job.plan);
  const { delta } = job.plan;
  if (people && delta) {
    const engine = { sandbox: job.sandbox, scratch: job.scratch };
    return exportDelta({ ...job.plan, delta }, people, job.inputs, engine, job.storage, (dir) =>
      fileTarget(job, dir),
    );
  }
  const profile = profileOf(job.plan);
  const splits = splitsOf(job.plan);
  if (people && profile && splits) return exportProfileSplitsOf(job, people, profile, splits);
  if (people && profile) return exportProfileOf(job, people, profile);
  if (people && splits) return exportPeopleSplitsOf(job, people, splits, (dir) => fileTarget(job, dir));
  if (people) return exportPeopleOf(job, people);
  const layout = job.plan.layout ?? DEFAULT_LAYOUT;
  if (layout.singleFile) return exportSingleFile(job);
  // DuckDB's JSON writer cannot PARTITION_BY: JSON Lines is written partition by partition.
  if (!job.plan.hiveTypes || layout.format === 'jsonl' || layout.maxFileBytes !== null) {
    return exportByFolder(job);
  }
  try {
    return await exportIntent(job);
  } catch (error) {
    // Writing every partition at once keeps a buffer per open file; when the job's memory
    // cannot hold them, write one partition at a time instead.
    if (!isOutOfMemory(error)) throw error;
    job.log?.('export by partition after running out of memory', {});
    return exportByFolder(job, 1);
  }
}

/**
 * Moves written files to their partition's folder in storage; returns them as published, sorted by
 * URI, each with the SHA-256 of its bytes (read locally before it leaves), and the time spent
 * hashing, summed over the files (partitions are hashed and published side by side).
 */
export async function publishExport(
  written: readonly PartitionedFile[],
  { storage, outputPath, task }: ExportDestination,
): Promise<{ files: JobOutcome['files']; hashMs: number }> {
  const root = taskOutputRoot(storage, outputPath, task);
  try {
    return await publishPartitions(written, storage, root, task.id);
  } catch (failed) {
    // Every partition under way has ended (see `publishPartitions`): none lands after the cleanup.
    const error = failed instanceof AggregateError ? failed.errors[0] : failed;
    // A publish that fails part way (a full disk, a store that keeps failing) takes back what it
    // had put in place, so a failed job leaves no file of its own behind (a retry writes them again).
    const targets = written.map((file) =>
      storage.join(storage.join(root, file.partition), path.basename(file.path)),
    );
    await storage.removeFiles(targets).catch(() => undefined);
    throw error;
  }
}

async function publishPartitions(
  written: readonly PartitionedFile[],
  storage: Storage,
  root: string,
  taskId: string,
): Promise<{ files: JobOutcome['files']; hashMs: number }> {
  const files: JobOutcome['files'] = [];
  let hashMs = 0;
  const byPartition = new Map<string, PartitionedFile[]>();
  for (const file of written)
    byPartition.set(file.partition, [...(byPartition.get(file.partition) ?? []), file]);
  // Uploads of different partitions overlap; an object store is latency-bound per request.
  await pMap(
    [...byPartition.keys()].sort(),
    async (partition) => {
      const local = byPartition.get(partition)!;
      const hashing = performance.now();
      const checksums = new Map(
        await Promise.all(
          local.map(async (file) => [path.basename(file.path), await sha256Of(file.path)] as const),
        ),
      );
      hashMs += performance.now() - hashing;
      const published = await storage.publish(
        local.map((file) => file.path),
        storage.join(root, partition),
      );
      const byName = new Map(local.map((file) => [path.basename(file.path), file.rows]));
      for (const file of published) {
        files.push({
          id: fileId(taskId, file.uri),
          partition,
          uri: file.uri,
          rows: byName.get(path.basename(file.uri)) ?? 0,
          sizeBytes: file.sizeBytes,
          sha256: checksums.get(path.basename(file.uri)) ?? null,
        });
      }
    },
    // On a failure the partitions under way still end (an AggregateError comes after them all).
    { concurrency: PARALLEL_PUBLISHES, stopOnError: false },
  );
  return { files: files.sort((a, b) => compareText(a.uri, b.uri)), hashMs: Math.round(hashMs) };
}

/** How the plan's files are written into `targetDir`. */
export function fileTarget(job: Pick<ExportJob, 'plan' | 'compression'>, targetDir: string): FileTarget {
  const layout = job.plan.layout ?? DEFAULT_LAYOUT;
  const compression = layout.compression ?? (layout.format === 'parquet' ? job.compression : undefined);
  return {
    targetDir,
    format: layout.format,
    ...(compression ? { compression } : {}),
    ...(layout.maxFileBytes === null ? {} : { fileSize: `${layout.maxFileBytes}B` }),
  };
}

/** Intent partitions are column values: one `COPY … PARTITION_BY` writes the whole batch. */
async function exportIntent(job: ExportJob) {
  const { sandbox, scratch, plan, inputs } = job;
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0) return { files: [], columns: [] };
  const { format, compression } = fileTarget(job, scratch);
  return exportPartitioned(sandbox, parquetSource(files, plan), {
    ...(plan.columns ? { columns: plan.columns } : {}),
    whereSql: plan.whereSql ?? undefined,
    limit: plan.limit ?? undefined,
    targetDir: path.join(scratch, 'out'),
    format: format === 'csv' ? 'csv' : 'parquet',
    ...(compression ? { compression } : {}),
    partitionBy: [
      // A DATE names its folder YYYY-MM-DD, as the partition keys do; cheaper than formatting each row.
      { column: 'day', value: '"day"' },
      { column: 'prefix', value: '"prefix"' },
      { column: 'score', value: '"score"' },
    ],
  });
}

/** A people export: one row per person of every partition read, in the one partition `people`. */
async function exportPeopleOf(job: ExportJob, people: PeoplePlan): Promise<WrittenFiles<PartitionedFile>> {
  const { sandbox, scratch, plan, inputs } = job;
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const written = await exportPeople(
    sandbox,
    parquetSource(files, plan),
    peopleQueryOf(plan, people),
    fileTarget(job, path.join(scratch, PEOPLE)),
  );
  return inPartition(written, PEOPLE);
}

/**
 * A profile export: the valid identifiers of the people of every partition read, in the profile's
 * files under the one partition `people`, and the people and the values left out as its figures.
 */
async function exportProfileOf(
  job: ExportJob,
  people: PeoplePlan,
  profile: ProfilePlan,
): Promise<WrittenExport> {
  const { sandbox, scratch, plan, inputs } = job;
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0)
    return { files: [], columns: [], figures: { ...peopleFigures(0), invalid_identifiers: 0 } };
  const { written, valid, invalid } = await exportIdentifiers(
    sandbox,
    peopleValuesSql(parquetSource(files, plan), peopleQueryOf(plan, people)),
    activationProfile(profile.name),
    path.join(scratch, PEOPLE),
  );
  return {
    ...inPartition(written, PEOPLE),
    figures: { ...peopleFigures(valid), invalid_identifiers: invalid },
  };
}

/** A single file: every partition the job reads, in the one output `all`. */
async function exportSingleFile(job: ExportJob): Promise<WrittenFiles<PartitionedFile>> {
  const { sandbox, scratch, plan, inputs } = job;
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0) return { files: [], columns: [] };
  // Without a column list the files' own columns are written: read them without Hive columns.
  const from = plan.columns ? parquetSource(files, plan) : { files, hive: false };
  const written = await exportRows(sandbox, from, {
    ...(plan.columns ? { columns: plan.columns } : {}),
    whereSql: plan.whereSql ?? undefined,
    ...fileTarget(job, path.join(scratch, ALL)),
  });
  return inPartition(written, ALL);
}

function inPartition(written: WrittenFiles, partition: string): WrittenFiles<PartitionedFile> {
  return { ...written, files: written.files.map((file) => ({ ...file, partition })) };
}

/**
 * Generic partitions are folders, and JSON Lines cannot be written partitioned: one `COPY` per
 * partition. Without a `limit`, up to `sideBySide` (the job's DuckDB threads) run at once, each on a
 * connection of its own (a single-file COPY, gzip above all, keeps about one thread busy); with one,
 * one after another until it is spent. Out of memory side by side, it starts again one at a time.
 */
async function exportByFolder(
  job: ExportJob,
  sideBySide = job.sandbox.threads,
): Promise<WrittenFiles<PartitionedFile>> {
  const { sandbox, scratch, plan, inputs } = job;
  const partitions = [...inputs.partitions.entries()].filter(([, input]) => input.localPaths.length > 0);
  const writePartition = (on: Sandbox, index: number, limit: number | undefined) => {
    const input = inputs.partitions[index]!;
    // Without a column list the files' own columns are written: read them without Hive columns.
    const from = plan.columns
      ? parquetSource(input.localPaths, plan)
      : { files: input.localPaths, hive: false };
    return exportRows(on, from, {
      ...(plan.columns ? { columns: plan.columns } : {}),
      whereSql: plan.whereSql ?? undefined,
      limit,
      ...fileTarget(job, path.join(scratch, String(index))),
    });
  };
  const results: Array<{ index: number; written: WrittenFiles }> = [];
  if (plan.limit === null || plan.limit === undefined) {
    const lanes = await sandbox.siblings(Math.max(1, Math.min(sideBySide, partitions.length)));
    let next = 0;
    let failed = false;
    // Every lane ends before the job does (a failure stops the others taking more partitions), so
    // no statement is still running when the job's instance is closed.
    const settled = await Promise.allSettled(
      lanes.map(async (lane) => {
        for (let k = next++; k < partitions.length && !failed; k = next++) {
          const [index] = partitions[k]!;
          try {
            results.push({ index, written: await writePartition(lane, index, undefined) });
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      }),
    );
    const failure = settled.find((lane) => lane.status === 'rejected');
    if (failure) {
      // Statements side by side share the job's memory: when it cannot hold them, one at a time.
      if (lanes.length === 1 || !isOutOfMemory(failure.reason)) throw failure.reason;
      job.log?.('export one partition at a time after running out of memory', {});
      return exportByFolder(job, 1);
    }
    results.sort((a, b) => a.index - b.index);
  } else {
    let remaining = plan.limit;
    for (const [index] of partitions) {
      if (remaining <= 0) break;
      const written = await writePartition(sandbox, index, remaining);
      results.push({ index, written });
      for (const file of written.files) remaining -= file.rows;
    }
  }
  const files = results.flatMap(({ index, written }) =>
    written.files.map((file) => ({ ...file, partition: inputs.partitions[index]!.partition })),
  );
  return { files, columns: results.find((r) => r.written.columns.length > 0)?.written.columns ?? [] };
}

/** Stable per task and file, so a link handed out before a job re-ran still works. */
export function fileId(taskId: string, uri: string): string {
  return createHash('sha256').update(`${taskId}\n${uri}`).digest('hex').slice(0, 32);
}
