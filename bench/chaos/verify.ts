import fs from 'node:fs';
import path from 'node:path';
import type { TaskDetail } from '../api.ts';
import { addFingerprints, type Fingerprint, type Oracle } from './oracle.ts';
import type { JobState } from './store-watch.ts';
import type { Kind, TaskSpec, TrackedTask } from './workload.ts';

/** The task detail fields the checks read (see DESIGN.md §2): the bench's, with links and the request. */
export interface Detail extends Omit<TaskDetail, 'files'> {
  files: Array<TaskDetail['files'][number] & { url: string }>;
  request: {
    days: string[];
    topic_id_prefixes: string[];
    scores: string[];
    limit: number | null;
    perform_unload: boolean;
    select: string[] | null;
    where_expr: string | null;
  };
}

/** One task at the end of the run, with what is needed to check it. */
export interface FinalTask {
  id: string;
  org: number;
  organizationId: string;
  /** Untracked: a task whose create answer the client never got (a retried create). */
  kind: Kind | 'untracked';
  spec: TaskSpec;
  tracked: TrackedTask | undefined;
  detail: Detail;
}

export interface CheckTally {
  passed: number;
  failed: number;
}

export interface Failure {
  check: string;
  taskId?: string;
  detail: string;
}

/** Named checks, each passed or failed any number of times; a failure says which task and why. */
export class Checks {
  readonly tallies: Record<string, CheckTally> = {};
  readonly failures: Failure[] = [];

  check(name: string, ok: boolean, taskId: string | undefined, detail: () => string): boolean {
    this.tallies[name] ??= { passed: 0, failed: 0 };
    const tally = this.tallies[name];
    if (ok) tally.passed += 1;
    else {
      tally.failed += 1;
      this.failures.push({ check: name, ...(taskId ? { taskId } : {}), detail: detail() });
    }
    return ok;
  }
}

export interface Verification {
  /** Rows whose count was compared with the oracle's. */
  rowsCounted: number;
  /** Rows of exported files compared as multisets with the segment's rows. */
  rowsExported: number;
  partitionsCompared: number;
  files: number;
  bytes: number;
  downloads: number;
  limitJobs: number;
  strayFiles: string[];
  scratchLeftovers: string[];
  /** Tasks that failed as a fault allowed (error code → tasks), e.g. `storage_error`, `disk_full`. */
  allowedFailures: Record<string, number>;
  /** Jobs left queued or running in the store, all of tasks that failed as a fault allows. */
  jobsLeftOfFailedTasks: number;
}

/**
 * The check every failure a fault allows passes (any other failure fails "ends counted …"). A
 * failed task keeps the files of its jobs that finished (a retry runs only the others): each is
 * whole and holds only its partition's segment rows; a partition whose every job finished holds all
 * of them.
 */
export const FAILED_FILES_CHECK =
  "a failed task lists only whole files of its finished jobs, each holding its partition's segment rows";

export interface VerifyOptions {
  tasks: FinalTask[];
  jobs: Array<JobState & { partitions: string[] }>;
  oracle: Oracle;
  outputPath: string;
  /** Files under the output root that other checks account for (the runs of scheduled audiences). */
  otherFiles?: ReadonlySet<string>;
  /**
   * Whether a failed task is an outcome a fault allows (answers the fault, see faults.ts
   * `allowingFault`); such a task is counted, not a lost one, and its files are checked as whole
   * files of its finished jobs (`FAILED_FILES_CHECK`).
   */
  allowedFailure?: (detail: Detail) => string | undefined;
  log: (message: string) => void;
}

/** Final statuses: a task that exports ends completed, one held for review ends counted. */
export function expectedStatus(task: Pick<FinalTask, 'kind' | 'spec'>): 'counted' | 'completed' {
  return task.spec.performUnload || task.kind === 'count_then_unload' ? 'completed' : 'counted';
}

/**
 * The end checks of a chaos run over every task: final status, counts against the oracle, every
 * exported file against its detail and the segment (multisets per partition; for `limit` exports,
 * the right number of rows, all of them the segment's), a download per export, and no file under
 * the output root that no task lists.
 */
export async function verify(options: VerifyOptions, checks: Checks): Promise<Verification> {
  const result: Verification = {
    rowsCounted: 0,
    rowsExported: 0,
    partitionsCompared: 0,
    files: 0,
    bytes: 0,
    downloads: 0,
    limitJobs: 0,
    strayFiles: [],
    scratchLeftovers: [],
    allowedFailures: {},
    jobsLeftOfFailedTasks: 0,
  };
  const check: CheckFn = (name, ok, taskId, detail) => checks.check(name, ok, taskId, detail);
  const jobsOf = new Map<string, Array<JobState & { partitions: string[] }>>();
  for (const job of options.jobs) jobsOf.set(job.taskId, [...(jobsOf.get(job.taskId) ?? []), job]);

  for (const [i, task] of options.tasks.entries()) {
    await verifyTask({ task, jobs: jobsOf.get(task.id) ?? [], options, result, check });
    if ((i + 1) % 100 === 0) options.log(`checked ${i + 1} of ${options.tasks.length} tasks`);
  }

  // A completed export's manifest lists exactly the files of its detail, and _SUCCESS follows it.
  const listed = new Set(options.tasks.flatMap((task) => task.detail.files.map((file) => file.uri)));
  for (const task of options.tasks) {
    if (task.detail.status !== 'completed') continue;
    const root = path.join(options.outputPath, task.organizationId, task.id);
    const manifestPath = path.join(root, 'manifest.json');
    const successPath = path.join(root, '_SUCCESS');
    listed.add(manifestPath).add(successPath);
    const manifest = fs.existsSync(manifestPath)
      ? (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
          files: Array<{ path: string; rows: number }>;
        })
      : undefined;
    const want = task.detail.files.map((file) => `${path.relative(root, file.uri)}:${file.rows}`).sort();
    const got = manifest?.files.map((file) => `${file.path}:${file.rows}`).sort();
    check(
      "a completed export's manifest lists its files, then _SUCCESS",
      JSON.stringify(got) === JSON.stringify(want) && fs.existsSync(successPath),
      task.id,
      () => `manifest ${manifest ? `lists ${got?.length} files, the detail ${want.length}` : 'missing'}`,
    );
  }
  // No file under the output root that no task lists; the service's scratch folder is reported apart.
  for (const file of walk(options.outputPath)) {
    if (listed.has(file) || options.otherFiles?.has(file)) continue;
    const relative = path.relative(options.outputPath, file);
    if (relative.startsWith(`.staging${path.sep}`)) result.scratchLeftovers.push(relative);
    else result.strayFiles.push(relative);
  }
  check(
    'no stray files under the output root',
    result.strayFiles.length === 0,
    undefined,
    () => `${result.strayFiles.length} files no task lists, e.g. ${result.strayFiles.slice(0, 5).join(', ')}`,
  );
  check(
    'no scratch left under the output root',
    result.scratchLeftovers.length === 0,
    undefined,
    () =>
      `${result.scratchLeftovers.length} files under .staging, e.g. ${result.scratchLeftovers.slice(0, 5).join(', ')}`,
  );
  // A task that failed as a fault allows ends with its other jobs as they were (queued, never run).
  const failed = new Set(options.tasks.filter((t) => options.allowedFailure?.(t.detail)).map((t) => t.id));
  const left = options.jobs.filter((job) => job.status === 'queued' || job.status === 'running');
  const unfinished = left.filter((job) => !failed.has(job.taskId));
  result.jobsLeftOfFailedTasks = left.length - unfinished.length;
  check('no job left queued or running in the store', unfinished.length === 0, undefined, () =>
    unfinished.map((job) => `${job.id} (task ${job.taskId}) ${job.status}`).join('; '),
  );
  return result;
}

type CheckFn = (name: string, ok: boolean, taskId: string | undefined, detail: () => string) => boolean;

/** One task under verification: its jobs in the store, the run's options, the tallies to add to. */
interface TaskUnderCheck {
  task: FinalTask;
  jobs: Array<JobState & { partitions: string[] }>;
  options: VerifyOptions;
  result: Verification;
  check: CheckFn;
}

async function verifyTask(subject: TaskUnderCheck): Promise<void> {
  const { task, options, result, check } = subject;
  const { oracle } = options;
  const { detail, spec, id } = task;
  const expected = expectedStatus(task);
  const allowed = options.allowedFailure?.(detail) !== undefined;
  if (allowed) {
    const code = detail.error!.code;
    result.allowedFailures[code] = (result.allowedFailures[code] ?? 0) + 1;
    await verifyFilesOfFailedTask(subject);
  }
  const finished =
    !allowed &&
    check(
      'ends counted or completed, no job failed',
      detail.status === expected &&
        detail.failed_jobs === 0 &&
        detail.error === null &&
        detail.completed_jobs === detail.total_jobs,
      id,
      () =>
        `${task.kind}: status ${detail.status} (expected ${expected}), jobs ${detail.completed_jobs}/${detail.total_jobs}, ` +
        `failed ${detail.failed_jobs}, error ${JSON.stringify(detail.error)}`,
    );
  if (task.tracked) {
    const r = detail.request;
    const same = (a: readonly unknown[] | null, b: readonly unknown[] | null) =>
      JSON.stringify(a && [...a].sort()) === JSON.stringify(b && [...b].sort());
    check(
      'the stored request is the one sent',
      same(r.days, spec.days) &&
        same(r.topic_id_prefixes, spec.prefixes) &&
        same(r.scores, spec.scores) &&
        r.where_expr === spec.where &&
        JSON.stringify(r.select) === JSON.stringify(spec.select) &&
        r.limit === spec.limit &&
        r.perform_unload === spec.performUnload,
      id,
      () => `sent ${JSON.stringify(spec)}, stored ${JSON.stringify(r)}`,
    );
    for (const problem of task.tracked.problems)
      check('the client got the answers it expected', false, id, () => problem);
  }
  if (!finished) return;

  // Every partition the detail names is one the task asked for.
  const grid = new Set(
    spec.days.flatMap((day) =>
      spec.prefixes.flatMap((prefix) =>
        spec.scores.map((score) => `day=${day}/prefix=${prefix}/score=${score}`),
      ),
    ),
  );
  const outside = Object.keys(detail.counts).filter((p) => !grid.has(p));
  check('counts name only the requested partitions', outside.length === 0, id, () => outside.join(', '));
  const counted = nonZero(detail.counts);
  const total = Object.values(counted).reduce((sum, n) => sum + n, 0);
  check(
    'total_count is the sum of the counts',
    detail.total_count === total,
    id,
    () => `total_count ${detail.total_count}, sum ${total}`,
  );
  if (spec.limit === null) {
    const want = await oracle.counts(spec);
    if (
      check('counts equal an independent DuckDB count', sameRecord(counted, want), id, () =>
        difference(counted, want),
      )
    ) {
      result.rowsCounted += total;
    }
  }
  if (expected !== 'completed') {
    check('a counted task has no files', detail.files.length === 0, id, () => `${detail.files.length} files`);
    return;
  }
  await verifyExport(subject);
}

/**
 * The files a failed task lists (see `FAILED_FILES_CHECK`): each one exists with the detail's size
 * and rows, its rows are rows of its partition's segment (a sub-multiset, `EXCEPT ALL`), and where
 * every export job over a partition finished, its files hold the partition's whole segment.
 */
async function verifyFilesOfFailedTask(subject: TaskUnderCheck): Promise<void> {
  const { task, jobs, options, check } = subject;
  const { oracle } = options;
  const { detail, spec, id } = task;
  const columns = spec.select ?? oracle.columns;
  const present = detail.files.filter((file) => fs.existsSync(file.uri));
  const metadata = await oracle.fileRows(present.map((file) => file.uri));
  const problems: string[] = [];
  for (const file of detail.files) {
    const size = fs.existsSync(file.uri) ? fs.statSync(file.uri).size : -1;
    if (size !== file.size_bytes || metadata[file.uri] !== file.rows)
      problems.push(
        `${file.uri}: size ${size} (detail ${file.size_bytes}), rows ${metadata[file.uri]} (detail ${file.rows})`,
      );
  }
  const partitions = [...new Set(present.map((file) => file.partition))];
  const unfinished = new Set(
    jobs.filter((job) => job.phase === 'unload' && job.status !== 'done').flatMap((job) => job.partitions),
  );
  const whole = partitions.filter((partition) => !unfinished.has(partition));
  const byFile = await oracle.fileFingerprints(
    present.filter((file) => whole.includes(file.partition)).map((file) => file.uri),
    columns,
  );
  const got: Record<string, Fingerprint> = {};
  for (const file of present)
    if (whole.includes(file.partition))
      got[file.partition] = addFingerprints(
        got[file.partition],
        byFile[file.uri] ?? { rows: 0, hashSum: 0n },
      );
  if (spec.limit === null && whole.length > 0) {
    const want = await oracle.fingerprints(spec, columns, whole);
    if (!sameFingerprints(got, want)) problems.push(fingerprintDifference(got, want));
  }
  for (const partition of partitions.filter((p) => spec.limit !== null || !whole.includes(p))) {
    const inPartition = present.filter((file) => file.partition === partition).map((file) => file.uri);
    const surplus = await oracle.surplus(inPartition, spec, partition, columns);
    if (surplus > 0) problems.push(`${partition}: ${surplus} rows are not the segment's`);
  }
  check(FAILED_FILES_CHECK, problems.length === 0, id, () => problems.join('; '));
}

async function verifyExport(subject: TaskUnderCheck): Promise<void> {
  const { task, jobs, options, result, check } = subject;
  const { oracle, outputPath } = options;
  const { detail, spec, id } = task;
  const files = detail.files;
  const columns = spec.select ?? oracle.columns;

  // Each file: where the task's files belong, its size and its rows as the detail says.
  const paths = files.map((file) => file.uri);
  const present = paths.filter((file) => fs.existsSync(file));
  const metadata = await oracle.fileRows(present);
  for (const file of files) {
    const home = path.join(outputPath, task.organizationId, id, file.partition) + path.sep;
    const size = fs.existsSync(file.uri) ? fs.statSync(file.uri).size : -1;
    check(
      "each file is in its task's folder, with the detail's size and rows",
      file.uri.startsWith(home) && size === file.size_bytes && metadata[file.uri] === file.rows,
      id,
      () =>
        `${file.uri}: expected under ${home}; size ${size} (detail ${file.size_bytes}); rows ${metadata[file.uri]} (detail ${file.rows})`,
    );
    result.files += 1;
    result.bytes += Math.max(0, size);
  }
  if (present.length !== files.length) return;
  if (files.length > 0) {
    const got = await oracle.fileColumns(files[0]!.uri);
    check(
      'exported columns are the requested ones',
      JSON.stringify(got) === JSON.stringify(columns),
      id,
      () => `files hold ${got.join(', ')}; expected ${columns.join(', ')}`,
    );
  }
  const rowsByPartition: Record<string, number> = {};
  for (const file of files)
    rowsByPartition[file.partition] = (rowsByPartition[file.partition] ?? 0) + file.rows;
  check(
    'rows of the files per partition equal the counts',
    sameRecord(rowsByPartition, nonZero(detail.counts)),
    id,
    () => difference(rowsByPartition, nonZero(detail.counts)),
  );

  const byFile = await oracle.fileFingerprints(paths, columns);
  const got: Record<string, Fingerprint> = {};
  for (const file of files)
    got[file.partition] = addFingerprints(got[file.partition], byFile[file.uri] ?? { rows: 0, hashSum: 0n });
  if (spec.limit === null) {
    const want = await oracle.fingerprints(spec, columns);
    const ok = check(
      "exported rows equal the segment's rows (multisets per partition)",
      sameFingerprints(got, want),
      id,
      () => fingerprintDifference(got, want),
    );
    if (ok) {
      result.rowsExported += Object.values(got).reduce((sum, f) => sum + f.rows, 0);
      result.partitionsCompared += Object.keys(want).length;
    }
  } else {
    // A limit caps each job: it writes min(limit, the segment's rows in its partitions), all of them the segment's.
    const unloads = jobs.filter((job) => job.phase === 'unload');
    for (const job of unloads) {
      const available = Object.values(await oracle.counts(spec, job.partitions)).reduce(
        (sum, n) => sum + n,
        0,
      );
      const written = job.partitions.reduce((sum, p) => sum + (rowsByPartition[p] ?? 0), 0);
      check(
        'a limit export writes min(limit, segment rows) per job',
        written === Math.min(spec.limit, available),
        id,
        () => `job ${job.id}: wrote ${written}, limit ${spec.limit}, segment rows ${available}`,
      );
      result.limitJobs += 1;
    }
    let surplus = 0;
    for (const partition of Object.keys(got)) {
      const inPartition = files.filter((file) => file.partition === partition).map((file) => file.uri);
      surplus += await oracle.surplus(inPartition, spec, partition, columns);
    }
    if (
      check(
        "a limit export's rows are the segment's (sub-multisets per partition)",
        surplus === 0,
        id,
        () => `${surplus} exported rows are not rows of the segment's partition`,
      )
    ) {
      result.rowsExported += Object.values(got).reduce((sum, f) => sum + f.rows, 0);
      result.partitionsCompared += Object.keys(got).length;
    }
  }

  // A client downloads through the link the detail hands out: the bytes on disk, as they are.
  const first = files[0];
  if (first) {
    let answer = '';
    let same = false;
    try {
      const response = await fetch(first.url, { signal: AbortSignal.timeout(30_000) });
      answer = `status ${response.status}`;
      same =
        response.status === 200 &&
        Buffer.from(await response.arrayBuffer()).equals(fs.readFileSync(first.uri));
    } catch (error) {
      answer = String(error);
    }
    check('a download link serves the file', same, id, () => `${first.url}: ${answer}, same bytes ${same}`);
    result.downloads += 1;
  }
}

function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function sameRecord(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

function difference(got: Record<string, number>, want: Record<string, number>): string {
  const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort();
  return keys
    .filter((key) => got[key] !== want[key])
    .map((key) => `${key}: ${got[key] ?? 0} (expected ${want[key] ?? 0})`)
    .join('; ');
}

function sameFingerprints(a: Record<string, Fingerprint>, b: Record<string, Fingerprint>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key]?.rows === b[key]?.rows && a[key]?.hashSum === b[key]?.hashSum);
}

function fingerprintDifference(got: Record<string, Fingerprint>, want: Record<string, Fingerprint>): string {
  const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort();
  return keys
    .filter((key) => got[key]?.rows !== want[key]?.rows || got[key]?.hashSum !== want[key]?.hashSum)
    .map(
      (key) =>
        `${key}: ${got[key]?.rows ?? 0} rows, hash sum ${got[key]?.hashSum ?? 0n} (segment: ${want[key]?.rows ?? 0} rows, ${want[key]?.hashSum ?? 0n})`,
    )
    .join('; ');
}

/** Every regular file under `root`, hidden folders included. */
function walk(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else found.push(full);
    }
  };
  if (fs.existsSync(root)) visit(root);
  return found;
}
