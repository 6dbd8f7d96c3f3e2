import path from 'node:path';
import pMap from 'p-map';
import type { ColumnsRead, JobInputs } from '../../catalog/partition-inputs.ts';
import { compareText } from '../../compare.ts';
import { parquetRowCounts } from '../../engine/parquet-footer.ts';
import { footerSchema } from '../../engine/parquet-queries.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import type { JobOutcome, JobRecord, TaskRecord } from '../../store/store.ts';
import {
  exportsWholeAtOnce,
  PEOPLE,
  peopleOf,
  type SegmentFiguresView,
  type StoredRequest,
  splitsOf,
  type TaskPlan,
  wholeExportKey,
} from '../../tasks/task-model.ts';
import { taskOutputRoot, taskSlicesRoot } from '../../tasks/task-outputs.ts';
import { isBucketKey, slicesPeople } from '../../tasks/unique-slices.ts';
import { fileId, publishExport, writeExport } from './export-files.ts';
import { FileChecksums } from './file-checksums.ts';
import { peopleFigures } from './people-figures.ts';
import { type JobRun, type Phase, type PhaseDeps, type PhaseResult, zeroCounts } from './phase.ts';
import { readingColumns, stageJobInputs } from './phase-inputs.ts';
import { hasSlices } from './sliced-count.ts';
import { bucketExports, exportBucket } from './sliced-people.ts';
import { publishHeldBack } from './split-exports.ts';

/** Partitions whose files are copied at once (each copy is a request or two on an object store). */
const PARALLEL_COPIES = 4;

/**
 * An `unload` job: writes its partitions' rows with DuckDB into the job's scratch folder and
 * publishes them to the task's output folder; or, for an export of whole files
 * (`TaskPlan.copyFiles`), copies the input files as they are. A people export whose count was
 * sliced is written bucket by bucket from the slices (`sliced-people.ts`).
 */
export class UnloadPhase implements Phase {
  /** Checksums of local input files an export copies. */
  private readonly checksums = new FileChecksums();

  constructor(private readonly deps: PhaseDeps) {}

  engine(): 'unload' {
    return 'unload';
  }

  /** A bucket of a sliced people export reads the task's slices; any other job, its input. */
  inputRoot(task: TaskRecord, job: JobRecord): string | undefined {
    if (!isBucketKey(job.partitions[0])) return undefined;
    return taskSlicesRoot(this.deps.storage, this.deps.outputPath, task);
  }

  async run(run: JobRun): Promise<PhaseResult> {
    if (slicesPeople(run.plan)) {
      if (isBucketKey(run.job.partitions[0])) return exportBucket(run, this.deps);
      if (await hasSlices(run, this.deps)) return bucketExports(run);
    }
    // An export of whole files reads only their footers (rows, schema, codec) and copies them.
    const copies = run.plan.copyFiles === true;
    const staging = { footersOnly: copies, ...(copies ? {} : columnsWritten(run.plan)) };
    const stopped = await stageJobInputs(run, this.deps, staging);
    if (stopped) return stopped;
    const inputs = run.inputs!;
    const outcome = copies ? await this.copyFiles(run, inputs) : await this.write(run, inputs);
    const objects = inputs.partitions.flatMap((input) => input.objects);
    return {
      settle: 'record',
      outcome,
      files: objects.length,
      volume: {
        rowsRead: Object.values(outcome.counts).reduce((sum, n) => sum + n, 0),
        // A copy counts the bytes it copied as read.
        bytesRead: sizeOfObjects(objects),
        rowsWritten: outcome.files.reduce((sum, file) => sum + file.rows, 0),
        bytesWritten: outcome.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      },
    };
  }

  private async write(run: JobRun, inputs: JobInputs): Promise<JobOutcome> {
    const { storage, outputPath, compression, log } = this.deps;
    const { job, task, plan } = run;
    const { sandbox, scratch } = await run.engine!;
    run.lap('engineWait');
    const written = await writeExport({
      sandbox,
      scratch,
      plan,
      inputs,
      storage,
      ...(compression ? { compression } : {}),
      ...(log ? { log: (message, fields) => log(message, { jobId: job.id, ...fields }) } : {}),
    });
    run.lap('write');
    // Publishing replaces the partitions' folders: a worker that lost the job must not touch the
    // files its new owner may already have recorded.
    await run.lease.hold();
    const { files, hashMs } = await publishExport(written.files, { storage, outputPath, task });
    const heldBack = await publishHeldBack(written.heldBack ?? [], storage, plan.splits?.heldBack);
    run.lap('publish');
    run.record('hash', hashMs);
    // An export written whole at once (a profile's) counts under its one key, not its partitions.
    const whole = wholeExportKey(plan);
    const atOnce = whole !== null && exportsWholeAtOnce(task.request as StoredRequest);
    const counts = atOnce ? { [whole]: 0 } : zeroCounts(job.partitions);
    const split = splitsOf(plan) !== null;
    // A split export's people are every part's, held back or not: it counts them under `people`.
    if (split && atOnce) counts[PEOPLE] = written.figures?.unique_count ?? 0;
    else for (const file of files) counts[file.partition] = (counts[file.partition] ?? 0) + file.rows;
    // A people export that counted as it wrote (not a profile's, which counts its own): its people
    // are the rows it wrote.
    const figures = split
      ? await this.splitFigures(run, written.figures, heldBack)
      : (written.figures ?? (atOnce ? peopleFigures(counts[whole] ?? 0) : undefined));
    return {
      counts,
      files,
      ...(written.columns.length > 0 ? { schema: { columns: written.columns } } : {}),
      ...(figures ? { figures } : {}),
    };
  }

  /**
   * A split export's figures: what it counted as it wrote, with the files of its parts not
   * delivered. A task counted first keeps its count's figures (a delta, the values left out).
   */
  private async splitFigures(
    { task }: JobRun,
    written: SegmentFiguresView | undefined,
    heldBack: SegmentFiguresView['held_back'],
  ): Promise<SegmentFiguresView> {
    // A claim leaves the figures out: read those the count stored.
    const stored = await this.deps.store.findTask(task.organizationId, task.id, this.deps.now());
    const counted: SegmentFiguresView = stored?.figuresJson ? JSON.parse(stored.figuresJson) : {};
    return { ...counted, ...written, held_back: heldBack ?? [] };
  }

  /**
   * Each partition's input files copied as they are (on the object store's side where it can),
   * their rows read from their footers, their schema and codec from the first footers; local files
   * are checksummed, copies an object store made are not (the worker never sees their bytes:
   * `sha256` is null).
   */
  private async copyFiles(run: JobRun, inputs: JobInputs): Promise<JobOutcome> {
    const { job, task, engine, lease } = run;
    const { storage, outputPath } = this.deps;
    const staged = inputs.partitions.flatMap((input) => input.localPaths);
    const rows = await parquetRowCounts(staged);
    const schema = await footerSchema((await engine!).sandbox, staged);
    // Publishing replaces the partitions' folders: only the lease holder may.
    await lease.hold();
    const counts = zeroCounts(job.partitions);
    const files: JobOutcome['files'] = [];
    let offset = 0;
    const partitions = inputs.partitions.map((input) => {
      const first = offset;
      offset += input.objects.length;
      return { input, rows: rows.slice(first, offset) };
    });
    await pMap(
      partitions.filter(({ input }) => input.objects.length > 0),
      async ({ input, rows: partitionRows }) => {
        const names = input.objects.map((_, i) => `data_${i}.parquet`);
        const destination = storage.join(taskOutputRoot(storage, outputPath, task), input.partition);
        const copied = await storage.copy(input.objects, names, destination);
        const byName = new Map(names.map((name, i) => [name, i]));
        for (const file of copied) {
          const i = byName.get(path.basename(file.uri))!;
          const source = input.objects[i]!;
          const local = input.localPaths[i] === source.uri;
          files.push({
            id: fileId(task.id, file.uri),
            partition: input.partition,
            uri: file.uri,
            rows: partitionRows[i]!,
            sizeBytes: file.sizeBytes,
            sha256: local ? await this.checksums.of(source) : null,
          });
          counts[input.partition] = (counts[input.partition] ?? 0) + partitionRows[i]!;
        }
      },
      { concurrency: PARALLEL_COPIES },
    );
    files.sort((a, b) => compareText(a.uri, b.uri));
    run.lap('copy');
    return { counts, files, ...(schema ? { schema } : {}) };
  }
}

/**
 * What an export with a column list reads: those columns, its filter's and the Hive columns its
 * folders are named by (no bytes when they are folders alone). An export of every column, and a
 * people export (its aggregates), read whole objects.
 */
function columnsWritten(plan: TaskPlan): ColumnsRead {
  if (plan.columns === null || peopleOf(plan) || plan.delta) return {};
  return readingColumns(plan, [...plan.columns, ...Object.keys(plan.hiveTypes ?? {})]);
}
