import type { JobInputs } from '../../catalog/partition-inputs.ts';
import type { ParquetCompression } from '../../engine/file-writer.ts';
import type { JobVolume } from '../../metrics/job-metrics.ts';
import type { Storage, StoredObject } from '../../storage/storage.ts';
import type { JobOutcome, JobRecord, NewJob, Store, TaskRecord } from '../../store/store.ts';
import type { TaskPlan } from '../../tasks/task-model.ts';
import type { JobEngine } from '../job-engines.ts';
import type { JobLanes } from '../job-lanes.ts';
import type { JobLease } from '../job-lease.ts';

/** Input bytes one job of each lane reads at most; a job over more partitions splits. */
export interface JobBytes {
  /** An export job. */
  unload: number;
  /** A count job (a filtered count; unique work is bounded by `SliceBounds`). */
  count: number;
}

/** Input bytes of unique work one count job takes on; a task with more is sliced by hash. */
export interface SliceBounds {
  /** A unique count's count job (`unique_by` alone). */
  unique: number;
  /** A people export's count job, which folds people when it is the only one. */
  people: number;
  /**
   * Bytes of a sliced people export's bucket (its rows, as the count jobs wrote them) that one hash
   * pass folds. @defaultValue `people`
   */
  bucketPass?: number;
}

/** What every phase may use: the worker's store, queue and storage, and its settings. */
export interface PhaseDeps {
  store: Store;
  queue: JobLanes;
  storage: Storage;
  /** Root of exports: files land in `{outputPath}/{organization_id}/{task_id}/{partition}/`. */
  outputPath: string;
  /** Codec of exported files. @defaultValue `snappy` */
  compression?: ParquetCompression;
  /** Input bytes an export job, and a count job, reads at most (see `JobRunnerOptions.maxJobBytes`). */
  maxJobBytes?: JobBytes;
  /** Input bytes of unique work one count job takes on (see `JobRunnerOptions.sliceBounds`). */
  sliceBounds?: SliceBounds;
  /** Jobs of a phase that run at once across the workers (see `JobRunnerOptions.workerSlots`). */
  workerSlots?: (phase: 'count' | 'unload') => Promise<number>;
  /** Plans the jobs of a task whose input a `list` job listed. */
  listPlanner: (task: TaskRecord, files: readonly StoredObject[]) => NewJob[];
  /** The lease owner of this worker's jobs. */
  owner: string;
  now(): string;
  /** A store move found the job held by another worker: logged, nothing recorded. */
  leaseLost(jobId: string, taskId: string): void;
  log?: (message: string, fields: Record<string, unknown>) => void;
  trace?: (message: string, fields: Record<string, unknown>) => void;
}

/** One run of a claimed job, as the runner hands it to the job's phase. */
export interface JobRun {
  /** The job as claimed; a phase that narrows it (a split) replaces it. */
  job: JobRecord;
  readonly task: TaskRecord;
  readonly plan: TaskPlan;
  readonly lease: JobLease;
  /** The job's DuckDB, opened while its inputs are listed and staged (none when the phase needs none). */
  readonly engine: Promise<JobEngine> | undefined;
  /**
   * Tells the engine how many of the task's jobs now run at once (this one and those it split
   * off): it is locked down with its share of the threads then. Until told, it waits.
   */
  sharedBy(jobs: number): void;
  /**
   * The inputs the phase staged: released by the runner when the run ends, and used to name the
   * object behind a local file in a failure's message.
   */
  inputs?: JobInputs;
  /** Records the time since the previous lap (or the run's start) under `name`, in ms. */
  lap(name: string): void;
  /** Records a time measured apart (one that overlaps the laps, such as hashing while publishing). */
  record(name: string, ms: number): void;
}

/** How a phase's run ends; the runner settles it in the store. */
export type PhaseResult =
  /** An outcome to record (`completeJob`), at `at` when the phase fixed the time (the manifest's). */
  | { settle: 'record'; outcome: JobOutcome; at?: string; volume?: JobVolume; files?: number }
  /** The job's input was listed: these jobs take its place (`expandJob`). */
  | { settle: 'expand'; jobs: NewJob[]; files: number }
  /** The run may not go on (its lease was lost, its task ended while it split): nothing to record. */
  | { settle: 'none' };

/** One kind of job: what it needs and how it runs. */
export interface Phase {
  /** Whether a run needs a DuckDB of its own (and of which lane's size). */
  engine(plan: TaskPlan): 'unload' | 'count' | undefined;
  /** The folder the run's DuckDB reads under; undefined (or no method) for the task's input root. */
  inputRoot?(task: TaskRecord, job: JobRecord): string | undefined;
  run(run: JobRun): Promise<PhaseResult>;
}

export function zeroCounts(partitions: readonly string[]): Record<string, number> {
  return Object.fromEntries(partitions.map((p) => [p, 0]));
}
