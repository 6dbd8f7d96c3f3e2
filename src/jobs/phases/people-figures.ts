import { type JobInputs, parquetSource } from '../../catalog/partition-inputs.ts';
import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import { countPeople, peopleValuesSql } from '../../engine/people-queries.ts';
import { countIdentifiers } from '../../engine/profile-files.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import {
  PEOPLE,
  type PeoplePlan,
  profileOf,
  type SegmentFiguresView,
  splitsOf,
  type TaskPlan,
} from '../../tasks/task-model.ts';
import { countSplitPeople } from './split-exports.ts';

/**
 * The count of a people export: one pass over all the task's partitions (one job sees every
 * person). Its counts and figures have the one key `people`. A profile export counts the people
 * with a valid hashed e-mail, and the values left out (`invalid_identifiers`); a split export, the
 * people of each part (`split_counts`).
 */
export async function countPeopleJob(
  plan: TaskPlan,
  people: PeoplePlan,
  inputs: JobInputs,
  sandbox: Sandbox,
): Promise<{ counts: Record<string, number>; view: SegmentFiguresView }> {
  const splits = splitsOf(plan);
  if (splits) return countSplitPeople(plan, people, splits, inputs, sandbox);
  const files = inputs.partitions.flatMap((input) => input.localPaths);
  const source = parquetSource(files, plan);
  const query = peopleQueryOf(plan, people);
  if (profileOf(plan)) {
    const { valid, invalid } =
      files.length === 0
        ? { valid: 0, invalid: 0 }
        : await countIdentifiers(sandbox, peopleValuesSql(source, query));
    return { counts: { [PEOPLE]: valid }, view: { ...peopleFigures(valid), invalid_identifiers: invalid } };
  }
  const n = await countPeople(sandbox, source, query);
  return { counts: { [PEOPLE]: n }, view: peopleFigures(n) };
}

/** The figures of a people export of `n` people. */
export function peopleFigures(n: number): SegmentFiguresView {
  return { unique_count: n, unique_counts: { [PEOPLE]: n }, breakdowns: null };
}
