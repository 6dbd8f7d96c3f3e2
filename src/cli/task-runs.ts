import path from 'node:path';
import { type AudiencesClient, type TaskDetail, TaskEndedError } from '../client/index.ts';
import { EXIT, isSystemError } from './exit-codes.ts';
import { formatBytes, note, print, printJson, table } from './output.ts';
import { downloadProgress, taskProgress } from './progress-bars.ts';

type Status = TaskDetail['status'];

/** A file the command line downloaded, as the client's `download` reports it. */
export interface DownloadedFile {
  path: string;
  partition: string;
  bytes: number;
  rows: number;
}

/**
 * Waits for a task with the API's long polling, a progress bar on a terminal. Resolves with the
 * task at one of `until`, or at `failed`/`cancelled` (then `ended` is true).
 */
export async function waitWithProgress(
  client: AudiencesClient,
  taskId: string,
  until: Status | Status[],
  label: string,
): Promise<{ task: TaskDetail; ended: boolean }> {
  const display = taskProgress(label);
  try {
    const task = await client.waitFor(taskId, { until, onProgress: (report) => display.update(report) });
    return { task, ended: false };
  } catch (error) {
    if (error instanceof TaskEndedError) return { task: error.task, ended: true };
    throw error;
  } finally {
    display.stop();
  }
}

/** Reports a failed or cancelled task (its detail with `--json`) and sets exit code 1. */
export function reportEnded(task: TaskDetail, json: boolean | undefined): void {
  if (json) printJson(task);
  const reason = task.error ? `: ${task.error.code}: ${task.error.message}` : '';
  note(`error: task ${task.task_id} ${task.status}${reason}`);
  process.exitCode = EXIT.taskEnded;
}

/** The status a task is headed for: `counted` for a count-only task not being exported, else `completed`. */
export function targetOf(task: TaskDetail): Status {
  const request = (task.request ?? {}) as { perform_unload?: boolean };
  if (request.perform_unload === false && (task.status === 'in_progress' || task.status === 'counted')) {
    return 'counted';
  }
  return 'completed';
}

/** Partitions and their counts, sorted, then the total (and the distinct `unique_by` values). */
export function printCounts(task: TaskDetail): void {
  const uniqueBy = (task.request as { unique_by?: string } | null)?.unique_by;
  const partitions = Object.keys(task.counts).sort();
  const head = uniqueBy ? ['PARTITION', 'ROWS', `UNIQUE ${uniqueBy}`] : ['PARTITION', 'ROWS'];
  const rows: Array<Array<string | number>> = partitions.map((partition) => [
    partition,
    task.counts[partition] ?? 0,
    ...(uniqueBy ? [task.unique_counts?.[partition] ?? ''] : []),
  ]);
  const total = task.total_count ?? Object.values(task.counts).reduce((sum, n) => sum + n, 0);
  rows.push(['TOTAL', total, ...(uniqueBy ? [task.unique_count ?? ''] : [])]);
  print(table(head, rows, uniqueBy ? [1, 2] : [1]));
}

/** What a person calls a task: its name, else the saved audience it is a run of, else "-". */
export function nameOf(task: Pick<TaskDetail, 'name' | 'audience'>): string {
  if (task.name) return task.name;
  return task.audience ? `run of ${task.audience.name}` : '-';
}

/** The human view of a task: its state, counts and download links. */
export function printTask(task: TaskDetail): void {
  const lines: Array<[string, string]> = [
    ['task', task.task_id],
    ['name', nameOf(task)],
    ['type', task.type],
    ['status', task.status],
    [
      'jobs',
      `${task.completed_jobs}/${task.total_jobs}${task.failed_jobs ? ` (${task.failed_jobs} failed)` : ''}`,
    ],
    ['total', task.total_count === null ? '-' : String(task.total_count)],
  ];
  if (task.unique_count !== null) lines.push(['unique', String(task.unique_count)]);
  if (task.error) lines.push(['error', `${task.error.code}: ${task.error.message}`]);
  lines.push(['created', task.created_at], ['expires', task.expires_at]);
  print(table([], lines));
  if (Object.keys(task.counts).length > 0) {
    print('');
    printCounts(task);
  }
  if (task.files.length > 0) {
    print('', ...task.files.map((file) => file.url));
  }
}

/** Downloads every file of a completed task into `dir`, with a byte progress bar on a terminal. */
export async function downloadWithProgress(
  client: AudiencesClient,
  task: TaskDetail,
  dir: string,
): Promise<DownloadedFile[]> {
  const display = downloadProgress();
  try {
    return await client.download(task, path.resolve(dir), { onProgress: (report) => display.update(report) });
  } catch (error) {
    // A failed write (a full disk) names no file: say which folder it was writing into.
    if (isSystemError(error) && error.path === undefined) error.path = path.resolve(dir);
    throw error;
  } finally {
    display.stop();
  }
}

/** The downloaded files, their rows and bytes, and the total. */
export function printDownloads(files: DownloadedFile[]): void {
  const rows: Array<Array<string | number>> = files.map((file) => [
    path.relative(process.cwd(), file.path) || file.path,
    file.rows,
    formatBytes(file.bytes),
  ]);
  const totalRows = files.reduce((sum, file) => sum + file.rows, 0);
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  rows.push(['TOTAL', totalRows, formatBytes(totalBytes)]);
  print(table(['FILE', 'ROWS', 'BYTES'], rows, [1, 2]));
}
