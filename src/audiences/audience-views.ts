import type { AudienceDetail, AudienceRun, AudienceSummary } from '../contract/audience-schemas.ts';
import type { AudienceRecord, AudienceRunState } from '../store/store.ts';
import type { SegmentFiguresView } from '../tasks/task-model.ts';
import { type RunDetails, specOf } from './audience-model.ts';
import { scheduleInWords } from './audience-schedule.ts';

/** Runs an audience's size history covers. */
export const SIZE_HISTORY_RUNS = 30;

/**
 * An audience as listings show it, from its recent runs (newest first): its newest run (or skipped
 * slot), and its size over those that completed.
 */
export function audienceSummary(
  audience: AudienceRecord,
  recentRuns: readonly AudienceRunState[],
): AudienceSummary {
  const spec = specOf(audience);
  const lastRun = recentRuns[0];
  return {
    audience_id: audience.id,
    name: audience.name,
    description: spec.description,
    kind: audience.kind as AudienceSummary['kind'],
    version: audience.version,
    schedule: spec.schedule,
    schedule_in_words: spec.rule ? scheduleInWords(spec.rule) : 'manual',
    paused: spec.paused,
    delivery: spec.delivery,
    next_run_at: audience.nextRunAt,
    last_run: lastRun ? runView(lastRun) : null,
    size_history: sizeHistory(recentRuns),
    created_at: audience.createdAt,
    updated_at: audience.updatedAt,
  };
}

/** The whole audience: its definition and the days its next run would read, besides its summary. */
export function audienceDetail(
  audience: AudienceRecord,
  recentRuns: readonly AudienceRunState[],
  nextDays: string[] | null,
): AudienceDetail {
  const spec = specOf(audience);
  return {
    ...audienceSummary(audience, recentRuns),
    definition: spec.definition,
    window: spec.window,
    timezone: spec.timezone,
    days: nextDays,
  };
}

/** The completed runs among the recent ones, oldest first, with their size. */
function sizeHistory(recentRuns: readonly AudienceRunState[]): AudienceSummary['size_history'] {
  return recentRuns
    .filter((run) => run.task?.status === 'completed' && run.task.completedAt !== null)
    .map((run) => {
      const view = runView(run);
      return {
        run_id: run.id,
        completed_at: view.completed_at!,
        total_count: view.total_count,
        people: view.people,
      };
    })
    .reverse();
}

/** A run with what its task counted; a skipped slot has no task, and a run whose task expired says so. */
export function runView(run: AudienceRunState): AudienceRun {
  const details = run.details as RunDetails;
  const figures: Partial<SegmentFiguresView> = run.task?.figuresJson ? JSON.parse(run.task.figuresJson) : {};
  const delta = figures.delta;
  const status: AudienceRun['status'] = run.task
    ? run.task.status
    : run.taskId === null
      ? 'skipped'
      : 'expired';
  return {
    run_id: run.id,
    audience_id: run.audienceId,
    task_id: run.taskId,
    version: run.version,
    trigger: run.trigger,
    scheduled_for: run.slot,
    started_at: run.createdAt,
    completed_at: run.task?.completedAt ?? null,
    status,
    days: details.days,
    total_count: run.task?.totalCount ?? null,
    people: figures.unique_count ?? null,
    added: delta?.added ?? null,
    removed: delta?.removed ?? null,
    kept: delta?.kept ?? null,
    split_counts: figures.split_counts ?? null,
    baseline: details.baseline,
    previous_run_id: details.previousRunId,
    previous_version: details.previousVersion,
    missed_slots: details.missed,
    reason: details.skipped ?? run.task?.error?.message ?? null,
  };
}
