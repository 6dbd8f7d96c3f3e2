import { minimumAudienceWarnings } from '../activation/profile-warnings.ts';
import { type FooterRows, UnreadableFooterError } from '../catalog/footer-rows.ts';
import { listInputs } from '../catalog/partition-inputs.ts';
import type { GenericTaskBody, IntentTaskBody } from '../contract/task-body-schemas.ts';
import type { DataWarnings, TaskEstimateReply } from '../contract/task-schemas.ts';
import { AppError } from '../errors.ts';
import { type Storage, type StoredObject, sizeOfObjects } from '../storage/storage.ts';
import type { TaskPlanner } from './planning/task-planner.ts';
import { refuseWarnings } from './requests/data-warnings.ts';
import { fromStorage } from './requests/request-storage.ts';
import { profileOf, type StoredRequest } from './task-model.ts';

/** Missing partitions an estimate names; `missing_partitions_truncated` says when there are more. */
export const MISSING_PARTITIONS_SHOWN = 100;

export interface TaskEstimatorOptions {
  planner: TaskPlanner;
  storage: Storage;
  footers: FooterRows;
  /** Warnings for an intent request's values without data (see `TaskService`). */
  warnings?: (request: StoredRequest, body: IntentTaskBody) => Promise<DataWarnings>;
}

/** Nothing to admit: an estimate stores nothing, so it never counts against the cap on tasks in progress. */
const admitAll = async () => undefined;

/**
 * Dry runs: a request validated exactly as a create validates it (the planner's checks, the same
 * 400s), then its input listed and its files' footers read. Nothing is stored or queued.
 */
export class TaskEstimator {
  constructor(private readonly options: TaskEstimatorOptions) {}

  async intent(body: IntentTaskBody): Promise<TaskEstimateReply> {
    const { request, partitions } = await this.options.planner.checkIntent(body, admitAll);
    // Each partition folder listed as a job lists it (one LIST per partition on an object store).
    const listed = await fromStorage(() => listInputs(this.options.storage, partitions, request.plan, {}));
    const missing = listed.filter((input) => input.objects.length === 0).map((input) => input.partition);
    const objects = listed.flatMap((input) => input.objects);
    const warnings = (await this.options.warnings?.(request, body)) ?? [];
    if (body.strict) refuseWarnings(warnings);
    const estimate = await this.estimate(request, objects, {
      partitions: partitions.length,
      partitionsWithData: partitions.length - missing.length,
      missing,
    });
    return { ...estimate, warnings: [...warnings, ...profileWarnings(request, estimate.rows)] };
  }

  async generic(body: GenericTaskBody): Promise<TaskEstimateReply> {
    // The whole input is listed (a create lists its first objects and leaves the rest to a worker).
    const { request, files, filesPerPartition } = await this.options.planner.checkGeneric(
      body,
      admitAll,
      undefined,
    );
    const estimate = await this.estimate(request, files, {
      partitions: filesPerPartition.size,
      partitionsWithData: filesPerPartition.size,
      missing: [],
    });
    return profileOf(request.plan)
      ? { ...estimate, warnings: profileWarnings(request, estimate.rows) }
      : estimate;
  }

  private async estimate(
    request: StoredRequest,
    objects: readonly StoredObject[],
    found: { partitions: number; partitionsWithData: number; missing: readonly string[] },
  ): Promise<TaskEstimateReply> {
    const rows = await this.rowsOf(objects);
    return {
      partitions: found.partitions,
      partitions_with_data: found.partitionsWithData,
      missing_partitions: found.missing.slice(0, MISSING_PARTITIONS_SHOWN),
      missing_partitions_truncated: found.missing.length > MISSING_PARTITIONS_SHOWN,
      files: objects.length,
      bytes: sizeOfObjects(objects),
      rows: rows.reduce((sum, n) => sum + n, 0),
      rows_exact: request.plan.whereSql === null,
    };
  }

  private async rowsOf(objects: readonly StoredObject[]): Promise<number[]> {
    try {
      return await fromStorage(() => this.options.footers.rows(objects));
    } catch (error) {
      if (!(error instanceof UnreadableFooterError)) throw error;
      throw new AppError('input_unreadable', `input_path: ${error.message}`, [
        { field: 'input_path', message: error.message },
      ]);
    }
  }
}

/**
 * A profile export's minimum-audience warning at an estimate: its people are not counted yet, but
 * they are at most the rows the footers hold, so a segment of fewer rows than the platform's minimum
 * is surely too small. (A larger one may still be: the count and the export tell.)
 */
function profileWarnings(request: StoredRequest, rows: number): DataWarnings {
  const profile = profileOf(request.plan);
  return profile ? minimumAudienceWarnings(profile.name, rows, { atMost: true }) : [];
}
