import type { Insertable, Selectable } from 'kysely';
import type { JobTable, TaskTable } from './schema.ts';
import type { JobRecord, TaskRecord } from './store.ts';

/*
 * CamelCasePlugin gives rows in the records' shapes; these mappers keep only the conversions a
 * record needs beyond that: JSON text, and the task's error held in two columns.
 */

export const TASK_VERSION_COLUMNS = [
  'id',
  'status',
  'totalJobs',
  'completedJobs',
  'failedJobs',
  'updatedAt',
] as const;

/** Task columns without the counts and figures, which can be large: listings leave them out. */
export const TASK_SUMMARY_COLUMNS = [
  ...TASK_VERSION_COLUMNS,
  'organizationId',
  'type',
  'name',
  'request',
  'totalCount',
  'errorCode',
  'errorMessage',
  'createdAt',
  'completedAt',
  'expiresAt',
] as const;

/** The columns of a `JobRecord`: without the manifest, which only the export reads. */
export const JOB_COLUMNS = [
  'id',
  'taskId',
  'phase',
  'seq',
  'partitions',
  'status',
  'attempts',
  'counts',
  'error',
  'leaseOwner',
  'leaseExpiresAt',
] as const;

/**
 * A name as the task list's search compares it: NFKC (so full-width and composed letters match their
 * plain forms) and lower case, in JavaScript so that SQLite and PostgreSQL compare alike.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function toTask(row: Omit<Selectable<TaskTable>, 'nameKey'> & { nameKey?: unknown }): TaskRecord {
  const { request, counts, figures, errorCode, errorMessage, nameKey: _key, ...columns } = row;
  return {
    ...columns,
    request: JSON.parse(request),
    countsJson: counts,
    figuresJson: figures,
    error: errorCode ? { code: errorCode, message: errorMessage ?? '' } : null,
  };
}

export function toTaskRow(task: TaskRecord): Insertable<TaskTable> {
  const { request, countsJson, figuresJson, error, ...columns } = task;
  return {
    ...columns,
    nameKey: task.name === null ? null : searchKey(task.name),
    request: JSON.stringify(request),
    counts: countsJson,
    figures: figuresJson,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
  };
}

export function toJob(row: Pick<Selectable<JobTable>, (typeof JOB_COLUMNS)[number]>): JobRecord {
  return {
    ...row,
    partitions: JSON.parse(row.partitions),
    counts: row.counts === null ? null : JSON.parse(row.counts),
  };
}
