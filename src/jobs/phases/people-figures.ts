import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import { countPeople, type PeopleQuery } from '../../engine/people-queries.ts';
import { PEOPLE, type PeoplePlan, type SegmentFiguresView, type TaskPlan } from '../../tasks/task-model.ts';

/** The identifier columns of the intent layout: a people row holds both, the person column first. */
const INTENT_IDS = ['person_id', 'hem_sha256'];

/** The engine's query for a task's people export (`uniqueBy` set and checked by the planner). */
export function peopleQueryOf(plan: TaskPlan, people: PeoplePlan): PeopleQuery {
  const personBy = plan.uniqueBy!;
  const base = { whereSql: plan.whereSql, personBy };
  if (people.shape === 'intent') {
    const ids = INTENT_IDS.filter((id) => id !== personBy);
    return { ...base, shape: 'intent', ids, minTopics: people.minTopics, minDays: people.minDays };
  }
  return { ...base, shape: 'latest_row', columns: plan.columns ?? [], latestBy: people.latestBy };
}

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
