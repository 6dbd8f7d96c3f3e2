import { splitsView } from '../../activation/splits.ts';
import type { GenericTaskBody, IntentTaskBody } from '../../contract/task-body-schemas.ts';
import {
  DEFAULT_LAYOUT,
  type GenericRequestView,
  type IntentRequestView,
  type TaskPlan,
} from '../task-model.ts';
import type { CommonTaskBody, IntentScope } from './request-checks.ts';

/**
 * The request as the task detail shows it back (and the manifest records it): the body normalised,
 * and what the plan made of it (the resolved input, the checked columns, the defaults). The key
 * order is the order clients see.
 */
export function intentRequestView(
  body: IntentTaskBody,
  { days, prefixes, scores }: IntentScope,
  plan: TaskPlan,
): IntentRequestView {
  return {
    days,
    topic_id_prefixes: prefixes,
    scores,
    topic_ids: body.topic_ids === undefined ? null : [...new Set(body.topic_ids)],
    ...selectionView(body, plan),
    min_topics: plan.people?.minTopics ?? null,
    min_days: plan.people?.minDays ?? null,
    strict: body.strict ?? false,
    ...layoutView(plan),
  };
}

/** See `intentRequestView`. */
export function genericRequestView(body: GenericTaskBody, plan: TaskPlan): GenericRequestView {
  return {
    ...selectionView(body, plan),
    latest_by: plan.people?.latestBy ?? null,
    identifier: plan.profile?.identifier ?? null,
    ...layoutView(plan),
  };
}

/** What both kinds of request select and count. */
function selectionView(body: CommonTaskBody, plan: TaskPlan) {
  return {
    input_path: plan.inputRoot,
    limit: plan.limit,
    perform_unload: body.perform_unload ?? true,
    select: body.select === undefined ? null : plan.columns,
    where_expr: body.where_expr ?? null,
    unique_by: plan.uniqueBy ?? null,
    breakdown_by: plan.breakdownBy ?? null,
    output: plan.people ? ('people' as const) : ('rows' as const),
    profile: plan.profile?.name ?? null,
  };
}

/** The layout as the task detail shows the request. */
function layoutView(plan: TaskPlan) {
  const layout = plan.layout ?? DEFAULT_LAYOUT;
  return {
    format: layout.format,
    compression: layout.compression === 'uncompressed' ? 'none' : layout.compression,
    single_file: layout.singleFile,
    max_file_bytes: layout.maxFileBytes,
    ...splitsView(plan.splits),
  };
}
