import pMap from 'p-map';
import type { ParquetSource } from '../engine/parquet-queries.ts';
import type { ColumnBound } from '../engine/sql-bounds.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import type { ManifestEntry } from '../store/store.ts';
import type { InputLayout } from './intent-layout.ts';

/** One partition of a job: the objects it holds and where each is readable locally. */
export interface PartitionInput {
  partition: string;
  objects: StoredObject[];
  localPaths: string[];
}

/** The inputs of one job, staged locally until `release`. */
export interface JobInputs {
  partitions: PartitionInput[];
  /** Local path → storage URI, so error messages name the object, not the cache file. */
  uriOf: Map<string, string>;
  release(): void;
}

/** Partition folders listed at once (each is one LIST request on an object store). */
const PARALLEL_LISTINGS = 16;

/**
 * What a job reads of its objects, when it reads only some columns: those columns, and the bounds
 * its filter puts on integer columns (see `StageOptions`).
 */
export interface ColumnsRead {
  columns?: readonly string[] | undefined;
  bounds?: readonly ColumnBound[] | undefined;
}

/** The objects of one partition, listed (or read from a count's manifest) but not staged yet. */
export interface ListedPartition {
  partition: string;
  objects: StoredObject[];
  /** The objects come from a count's manifest: staging checks they did not change. */
  counted: boolean;
}

/** Lists a job's partitions, or takes them from the manifest of the task's count where it has them. */
export function listInputs(
  storage: Storage,
  partitions: readonly string[],
  plan: InputLayout,
  manifest: Record<string, ManifestEntry[]>,
): Promise<ListedPartition[]> {
  return pMap(
    partitions,
    async (partition): Promise<ListedPartition> => {
      const counted = manifest[partition];
      if (counted) return { partition, objects: counted, counted: true };
      const folder = partition === '.' ? plan.inputRoot : storage.join(plan.inputRoot, partition);
      const objects = await storage.list(folder, { recursive: !plan.nestedPartitions });
      return { partition, objects, counted: false };
    },
    { concurrency: PARALLEL_LISTINGS },
  );
}

/**
 * Stages listed partitions' objects for DuckDB: only their footers when `footersOnly`, only the
 * chunks of `columns` where the reader reads no others (see `StageOptions`).
 */
export async function stageInputs(
  storage: Storage,
  listed: readonly ListedPartition[],
  { footersOnly, columns, bounds }: { footersOnly: boolean } & ColumnsRead,
): Promise<JobInputs> {
  const verify = listed.some((input) => input.counted);
  const staged = await storage.stage(
    listed.flatMap((input) => input.objects),
    { footersOnly, verify, ...(columns && { columns, bounds: bounds ?? [] }) },
  );
  const uriOf = new Map<string, string>();
  let offset = 0;
  const inputs = listed.map(({ partition, objects }) => {
    const localPaths = staged.paths.slice(offset, offset + objects.length);
    offset += objects.length;
    for (const [j, local] of localPaths.entries()) uriOf.set(local, objects[j]!.uri);
    return { partition, objects, localPaths };
  });
  return { partitions: inputs, uriOf, release: staged.release };
}

/** The objects each partition read, recorded so the task's export reads the same ones. */
export function manifestOf(inputs: JobInputs): Record<string, ManifestEntry[]> {
  return Object.fromEntries(
    inputs.partitions.map((input) => [
      input.partition,
      input.objects.map((o) => ({ uri: o.uri, size: o.size, ...(o.etag ? { etag: o.etag } : {}) })),
    ]),
  );
}

/** Staged files read as the plan says (Hive columns and their types). */
export function parquetSource(files: string[], plan: InputLayout): ParquetSource {
  return { files, hive: plan.hive, ...(plan.hiveTypes ? { hiveTypes: plan.hiveTypes } : {}) };
}
