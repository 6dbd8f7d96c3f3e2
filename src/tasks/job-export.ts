import { createHash } from 'node:crypto';
import path from 'node:path';
import pMap from 'p-map';
import { compareText } from '../compare.ts';
import type { Sandbox } from '../engine/duckdb-sandbox.ts';
import {
  exportPartitioned,
  exportRows,
  type ParquetCompression,
  type PartitionedFile,
} from '../engine/parquet-queries.ts';
import { exportPeople } from '../engine/people-queries.ts';
import type { Storage } from '../storage/storage.ts';
import type { JobOutcome, TaskRecord } from '../store/store.ts';
import { type JobInputs, parquetSource } from './job-inputs.ts';
import { peopleQueryOf } from './job-people.ts';
import { PEOPLE, type PeoplePlan, peopleOf, type TaskPlan } from './task-model.ts';

/** What writing one job's export needs: its DuckDB, its scratch folder, what to read and how. */
export interface ExportJob {
  sandbox: Sandbox;
  /** The job's scratch folder; files are written under it, then published. */
  scratch: string;
  plan: TaskPlan;
  inputs: JobInputs;
  /** Codec of exported files. @defaultValue `snappy` */
  compression?: ParquetCompression;
  /** Problems worth a warning (a fallback). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Where a task's exports go: `{outputPath}/{organization_id}/{task_id}/{partition}/`. */
export interface ExportDestination {
  storage: Storage;
  outputPath: string;
  task: Pick<TaskRecord, 'id' | 'organizationId'>;
}

/** Partitions published at once (each upload is a few requests on an object store). */
const PARALLEL_PUBLISHES = 4;

/**
 * Writes a job's export into its scratch folder. Intent partitions are written in one pass; when
 * that runs out of memory, one partition at a time. Generic partitions are written folder by folder.
 */
export async function writeExport(job: ExportJob): Promise<PartitionedFile[]> {
  const people = peopleOf(job.plan);
  if (people) return exportPeopleOf(job, people);
  if (!job.plan.hiveTypes) return exportByFolder(job);
  try {
    return await exportIntent(job);
  } catch (error) {
    // Writing every partition at once keeps a buffer per open file; when the job's memory
    // cannot hold them, write one partition at a time instead.
    if (!/Out of Memory/i.test(String(error))) throw error;
    job.log?.('export by partition after running out of memory', {});
    return exportByFolder(job);
  }
}

/** Moves written files to their partition's folder in storage; returns them as published, sorted by URI. */
export async function publishExport(
  written: readonly PartitionedFile[],
  { storage, outputPath, task }: ExportDestination,
): Promise<JobOutcome['files']> {
  const files: JobOutcome['files'] = [];
  const byPartition = new Map<string, PartitionedFile[]>();
  for (const file of written)
    byPartition.set(file.partition, [...(byPartition.get(file.partition) ?? []), file]);
  // Uploads of different partitions overlap; an object store is latency-bound per request.
  await pMap(
    [...byPartition.keys()].sort(),
    async (partition) => {
      const local = byPartition.get(partition)!;
      const destination = storage.join(outputPath, `${task.organizationId}/${task.id}/${partition}`);
      const published = await storage.publish(
        local.map((file) => file.path),
        destination,
      );
      const byName = new Map(local.map((file) => [path.basename(file.path), file.rows]));
      for (const file of published) {
        files.push({
          id: fileId(task.id, file.uri),
          partition,
          uri: file.uri,
          rows: byName.get(path.basename(file.uri)) ?? 0,
          sizeBytes: file.sizeBytes,
        });
      }
    },
    { concurrency: PARALLEL_PUBLISHES },
  );
  return files.sort((a, b) => compareText(a.uri, b.uri));
}

/** Intent partitions are column values: one `COPY … PARTITION_BY` writes the whole batch. */
async function exportIntent({ sandbox, scratch, plan, inputs, compression }: ExportJob) {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0) return [];
  return exportPartitioned(sandbox, parquetSource(files, plan), {
    ...(plan.columns ? { columns: plan.columns } : {}),
    whereSql: plan.whereSql ?? undefined,
    limit: plan.limit ?? undefined,
    targetDir: path.join(scratch, 'out'),
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
async function exportPeopleOf(
  { sandbox, scratch, plan, inputs, compression }: ExportJob,
  people: PeoplePlan,
): Promise<PartitionedFile[]> {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const written = await exportPeople(sandbox, parquetSource(files, plan), peopleQueryOf(plan, people), {
    targetDir: path.join(scratch, PEOPLE),
    ...(compression ? { compression } : {}),
  });
  return written.map((file) => ({ ...file, partition: PEOPLE }));
}

/** Generic partitions are folders: one `COPY` each, until the job's `limit` is spent. */
async function exportByFolder({
  sandbox,
  scratch,
  plan,
  inputs,
  compression,
}: ExportJob): Promise<PartitionedFile[]> {
  const written: PartitionedFile[] = [];
  let remaining = plan.limit ?? Number.POSITIVE_INFINITY;
  for (const [index, input] of inputs.partitions.entries()) {
    if (input.localPaths.length === 0 || remaining <= 0) continue;
    // Without a column list the files' own columns are written: read them without Hive columns.
    const from = plan.columns
      ? parquetSource(input.localPaths, plan)
      : { files: input.localPaths, hive: false };
    const files = await exportRows(sandbox, from, {
      ...(plan.columns ? { columns: plan.columns } : {}),
      whereSql: plan.whereSql ?? undefined,
      limit: Number.isFinite(remaining) ? remaining : undefined,
      targetDir: path.join(scratch, String(index)),
      ...(compression ? { compression } : {}),
    });
    for (const file of files) {
      written.push({ ...file, partition: input.partition });
      remaining -= file.rows;
    }
  }
  return written;
}

/** Stable per task and file, so a link handed out before a job re-ran still works. */
function fileId(taskId: string, uri: string): string {
  return createHash('sha256').update(`${taskId}\n${uri}`).digest('hex').slice(0, 32);
}
