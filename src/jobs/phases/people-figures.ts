import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import { countPeople } from '../../engine/people-queries.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import { PEOPLE, type PeoplePlan, type SegmentFiguresView, type TaskPlan } from '../../tasks/task-model.ts';

/**
 * The count of a people export: one pass over all the task's partitions (one job sees every
 * person). Its counts and figures have the one key `people`.
 */
export async function countPeopleJob(
  plan: TaskPlan,
  people: PeoplePlan,
  inputs: JobInputs,
  sandbox: Sandbox,
): Promise<{ counts: Record<string, number>; view: SegmentFiguresView }> {
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const n = await countPeople(sandbox, parquetSource(files, plan), peopleQueryOf(plan, people));
  return {
    counts: { [PEOPLE]: n },
    view: { unique_count: n, unique_counts: { [PEOPLE]: n }, breakdowns: null },
  };
}
