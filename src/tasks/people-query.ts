import type { PeopleQuery } from '../engine/people-queries.ts';
import type { PeoplePlan, TaskPlan } from './task-model.ts';

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
