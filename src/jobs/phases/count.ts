import {
  type ColumnsRead,
  type JobInputs,
  manifestOf,
  parquetSource,
} from '../../catalog/partition-inputs.ts';
import { parquetRowCounts } from '../../engine/parquet-footer.ts';
import { countByFile } from '../../engine/parquet-queries.ts';
import { peopleColumns } from '../../engine/people-queries.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import type { JobOutcome, JobRecord } from '../../store/store.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import { countsWhole, peopleOf, type TaskPlan } from '../../tasks/task-model.ts';
import { slicesCount, slicesPeople } from '../../tasks/unique-slices.ts';
import type { JobEngine } from '../job-engines.ts';
import { countDelta } from './delta-members.ts';
import { countPeopleJob } from './people-figures.ts';
import { type JobRun, type Phase, type PhaseDeps, type PhaseResult, zeroCounts } from './phase.ts';
import { readingColumns, stageJobInputs } from './phase-inputs.ts';
import { countWhole } from './segment-figures.ts';
import { countSlices } from './sliced-count.ts';

/**
 * A `count` job: the rows of each of its partitions that the task's filter keeps, and for a task
 * with figures over the whole segment (unique people, breakdowns, a people export) those figures.
 * An un-filtered count reads only Parquet footers and opens no DuckDB.
 */
export class CountPhase implements Phase {
  constructor(private readonly deps: PhaseDeps) {}

  engine(plan: TaskPlan): 'count' | undefined {
    return footersOnly(plan) ? undefined : 'count';
  }

  async run(run: JobRun): Promise<PhaseResult> {
    const onlyFooters = footersOnly(run.plan);
    const staging = { footersOnly: onlyFooters, ...columnsRead(run.plan) };
    const stopped = await stageJobInputs(run, this.deps, staging);
    if (stopped) return stopped;
    const inputs = run.inputs!;
    const outcome = await this.count(run, inputs);
    run.lap('count');
    const objects = inputs.partitions.flatMap((input) => input.objects);
    return {
      settle: 'record',
      outcome,
      files: objects.length,
      volume: {
        rowsRead: Object.values(outcome.counts).reduce((sum, n) => sum + n, 0),
        // A footers-only count opened no object in full.
        bytesRead: onlyFooters ? 0 : sizeOfObjects(objects),
        rowsWritten: 0,
        bytesWritten: 0,
      },
    };
  }

  /**
   * A delta run's count keeps its members (see `countDelta`); a unique count or a people export
   * split over several jobs writes its people by hash bucket (`countSlices`); any other count reads
   * rows.
   */
  private async count(run: JobRun, inputs: JobInputs): Promise<JobOutcome> {
    const { plan } = run;
    const people = peopleOf(plan);
    if (slicesCount(plan)) {
      const sliced = await countSlices(run, this.deps, inputs);
      if (sliced) return sliced;
    }
    if (!plan.delta || !people) return countJob(run.job, plan, inputs, run.engine);
    const { counts, figures } = await countDelta(
      { ...plan, delta: plan.delta },
      people,
      inputs,
      await run.engine!,
      {
        storage: this.deps.storage,
        lease: run.lease,
      },
    );
    return { counts, files: [], manifest: manifestOf(inputs), figures };
  }
}

/** Without a filter and without figures over the whole segment, the footers hold the answer. */
function footersOnly(plan: TaskPlan): boolean {
  return plan.whereSql === null && !countsWhole(plan);
}

/**
 * What a count reads, when it is known: the columns of its filter, `unique_by` and the breakdown
 * columns, and the integer bounds of its filter. A people count (its aggregates) and a delta run's
 * (its members) read more, and stage whole objects; a people export that may be sliced reads the
 * columns its people are made of.
 */
function columnsRead(plan: TaskPlan): ColumnsRead {
  const people = peopleOf(plan);
  if (people && slicesPeople(plan)) return readingColumns(plan, peopleColumns(peopleQueryOf(plan, people)));
  if (people || plan.delta) return {};
  return readingColumns(plan, [...(plan.uniqueBy ? [plan.uniqueBy] : []), ...(plan.breakdownBy ?? [])]);
}

async function countJob(
  job: JobRecord,
  plan: TaskPlan,
  inputs: JobInputs,
  engine: Promise<JobEngine> | undefined,
): Promise<JobOutcome> {
  const manifest = manifestOf(inputs);
  const people = peopleOf(plan);
  if (people) {
    const figures = await countPeopleJob(plan, people, inputs, (await engine!).sandbox);
    return { counts: figures.counts, files: [], manifest, figures: figures.view };
  }
  if (countsWhole(plan)) {
    const figures = await countWhole(job, plan, inputs, (await engine!).sandbox);
    return { counts: figures.counts, files: [], manifest, figures: figures.view };
  }
  const counts = zeroCounts(job.partitions);
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  if (files.length === 0) return { counts, files: [], manifest };
  const byFile =
    plan.whereSql === null || !engine
      ? await parquetRowCounts(files).then((rows) => new Map(files.map((file, i) => [file, rows[i]!])))
      : await countByFile((await engine).sandbox, parquetSource(files, plan), plan.whereSql);
  for (const input of inputs.partitions) {
    counts[input.partition] = input.localPaths.reduce((sum, file) => sum + (byFile.get(file) ?? 0), 0);
  }
  return { counts, files: [], manifest };
}
