import pMap from 'p-map';
import type { ParquetSource } from '../engine/parquet-queries.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import type { ManifestEntry } from '../store/store.ts';
import type { TaskPlan } from './task-model.ts';

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

export interface StageInputsOptions {
  /** Only the Parquet footers are read (an un-filtered count): ranged reads on object stores. */
  footersOnly: boolean;
  /** Objects a count of the same task read, by partition: read exactly those, checked unchanged. */
  manifest: Record<string, ManifestEntry[]>;
}

/** Partition folders listed at once (each is one LIST request on an object store). */
const PARALLEL_LISTINGS = 16;

/** Lists a job's partitions (unless the manifest has them) and stages their objects for DuckDB. */
export async function stageInputs(
  storage: Storage,
  partitions: readonly string[],
  plan: TaskPlan,
  { footersOnly, manifest }: StageInputsOptions,
): Promise<JobInputs> {
  const listed = await pMap(
    partitions,
    (partition): Promise<StoredObject[]> | StoredObject[] => {
      const counted = manifest[partition];
      if (counted) return counted;
      const folder = partition === '.' ? plan.inputRoot : storage.join(plan.inputRoot, partition);
      return storage.list(folder, { recursive: !plan.nestedPartitions });
    },
    { concurrency: PARALLEL_LISTINGS },
  );
  const fromManifest = partitions.some((partition) => manifest[partition] !== undefined);
  const staged = await storage.stage(listed.flat(), { footersOnly, verify: fromManifest });
  const uriOf = new Map<string, string>();
  let offset = 0;
  const inputs = partitions.map((partition, i) => {
    const objects = listed[i]!;
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
export function parquetSource(files: string[], plan: TaskPlan): ParquetSource {
  return { files, hive: plan.hive, ...(plan.hiveTypes ? { hiveTypes: plan.hiveTypes } : {}) };
}
