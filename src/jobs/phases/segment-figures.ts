import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import { compareText } from '../../compare.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import {
  type RowsAndUnique,
  type SegmentFiguresOptions,
  segmentFigures,
} from '../../engine/parquet-queries.ts';
import type { JobRecord } from '../../store/store.ts';
import {
  BREAKDOWN_OTHER,
  BREAKDOWN_TOP,
  type BreakdownEntry,
  type SegmentFiguresView,
  type TaskPlan,
} from '../../tasks/task-model.ts';

/**
 * The count of a task counted whole (`countsWhole`): one DuckDB pass over all its partitions gives
 * the rows per partition and the figures of the whole segment, exact since this one job sees every
 * value. Partitions without files count 0. A job of a sliced count (`sliced-count.ts`) passes
 * `writeSlices`, which writes its people by bucket from the segment's table: it sees only its share,
 * so it counts no distinct people over the whole segment (the reduce step does; `unique_count` is
 * then 0), only per partition.
 */
export async function countWhole(
  job: JobRecord,
  plan: TaskPlan,
  inputs: JobInputs,
  sandbox: Sandbox,
  writeSlices?: SegmentFiguresOptions['alsoOnTable'],
): Promise<{ counts: Record<string, number>; view: SegmentFiguresView }> {
  const uniqueBy = plan.uniqueBy ?? null;
  const files: string[] = [];
  const groups: number[] = [];
  for (const [i, input] of inputs.partitions.entries()) {
    for (const file of input.localPaths) {
      files.push(file);
      groups.push(i);
    }
  }
  const figures = await segmentFigures(sandbox, parquetSource(files, plan), groups, {
    whereSql: plan.whereSql,
    uniqueBy,
    breakdownBy: plan.breakdownBy ?? [],
    top: BREAKDOWN_TOP,
    ...(writeSlices ? { alsoOnTable: writeSlices, whole: false } : {}),
  });
  const partitions = [...job.partitions].sort(compareText);
  const counts: Record<string, number> = Object.fromEntries(partitions.map((p) => [p, 0]));
  const uniqueCounts: Record<string, number> = Object.fromEntries(partitions.map((p) => [p, 0]));
  for (const [i, input] of inputs.partitions.entries()) {
    const group = figures.groups[i];
    counts[input.partition] = group?.rows ?? 0;
    uniqueCounts[input.partition] = group?.unique ?? 0;
  }
  const entry = (value: unknown, figures: RowsAndUnique): BreakdownEntry => ({
    value,
    count: figures.rows,
    ...(uniqueBy === null ? {} : { unique_count: figures.unique ?? 0 }),
  });
  return {
    counts,
    view: {
      unique_count: uniqueBy === null ? null : (figures.whole.unique ?? 0),
      unique_counts: uniqueBy === null ? null : uniqueCounts,
      breakdowns:
        (plan.breakdownBy ?? null) === null
          ? null
          : Object.fromEntries(
              figures.breakdowns.map(({ column, values, other }) => [
                column,
                [
                  ...values.map((value) => entry(value.value, value)),
                  ...(other ? [entry(BREAKDOWN_OTHER, other)] : []),
                ],
              ]),
            ),
    },
  };
}
