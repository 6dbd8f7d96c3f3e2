import type { NewJob } from './job-records.ts';
import type { TaskCursor, TaskRecord } from './task-records.ts';

/**
 * A saved audience. What it selects, its window, schedule and delivery are the domain's (`spec`,
 * JSON); the store keeps in columns only what it queries on: the name (unique per organisation)
 * and when the next scheduled run is due.
 */
export interface AudienceRecord {
  id: string;
  organizationId: string;
  name: string;
  /** `intent` or `generic`: the kind of task each run is. */
  kind: string;
  /** The audience as the domain defines it (see `audiences/audience-model.ts`). */
  spec: unknown;
  /** Grows by one with each change of what the audience selects. */
  version: number;
  /** When the next scheduled run is due; null without a schedule and while paused. */
  nextRunAt: string | null;
  /** Runs created before this are no base for a delta (the definition changed, or a resync). */
  baselineFrom: string;
  createdAt: string;
  updatedAt: string;
}

/** A run of an audience: a slot that ran (it has a task) or was skipped. */
export interface AudienceRunRecord {
  id: string;
  audienceId: string;
  organizationId: string;
  /** The audience's version the run read. */
  version: number;
  trigger: 'schedule' | 'manual';
  /** The slot a scheduled run is for: one run per slot and audience. Null for a manual run. */
  slot: string | null;
  /** The run's task; null for a skipped slot. */
  taskId: string | null;
  /** Where a delta run writes its membership snapshot (valid once its task completed); null without one. */
  snapshot: string | null;
  /** What the run read and against what, as the domain records it (days, baseline, previous run). */
  details: unknown;
  createdAt: string;
}

/** A run with the state of its task (null for a skipped slot, or a task that expired). */
export interface AudienceRunState extends AudienceRunRecord {
  task: Pick<
    TaskRecord,
    'status' | 'totalCount' | 'countsJson' | 'figuresJson' | 'error' | 'completedAt' | 'updatedAt'
  > | null;
}

/** Starting a run: the checks the store makes atomically, and what it writes. */
export interface AudienceRunStart {
  organizationId: string;
  audienceId: string;
  /**
   * A scheduled run's claim on its slot: `due` must still be the audience's `nextRunAt` (else
   * `slot_taken`: another process ran it), and `next` becomes it.
   */
  slot?: { due: string; next: string | null };
  /** The newest run with a task when the caller planned (its delta base); another since: `stale`. */
  latestRunId: string | null;
  run: AudienceRunRecord;
  /** The run's task and its jobs, stored in the same transaction as the run. */
  task: { record: TaskRecord; jobs: NewJob[] };
}

export type AudienceRunStarted =
  | { outcome: 'started' }
  /** A run of the audience is still going: a slot is recorded as skipped (the run given), a manual run refused. */
  | { outcome: 'skipped'; run: AudienceRunRecord }
  | { outcome: 'busy'; activeRunId: string }
  | { outcome: 'slot_taken' }
  | { outcome: 'stale' }
  | { outcome: 'not_found' };

/** Saved audiences and their runs. */
export interface AudienceStore {
  /** Stores a new audience; false when the organisation has one of that name already. */
  insertAudience(audience: AudienceRecord): Promise<boolean>;

  findAudience(organizationId: string, audienceId: string): Promise<AudienceRecord | undefined>;

  /** A page of the organisation's audiences, newest first, after the cursor. */
  listAudiences(organizationId: string, limit: number, after?: TaskCursor): Promise<AudienceRecord[]>;

  /**
   * Replaces the audience's name, spec, version, next run and baseline, if its `version` is still
   * `expectedVersion` (`conflict` otherwise: a concurrent change won). `name_taken` when another
   * audience of the organisation has the new name.
   */
  updateAudience(
    audience: AudienceRecord,
    expectedVersion: number,
  ): Promise<'updated' | 'not_found' | 'conflict' | 'name_taken'>;

  /** Deletes the audience and its run records (their tasks stay, and expire as any task). */
  deleteAudience(organizationId: string, audienceId: string): Promise<boolean>;

  /**
   * Starts a run in one transaction, once per slot across any number of processes: the slot's claim
   * (a scheduled run), no run of the audience still going (`in_progress` or `unloading`), no newer
   * run than the caller planned after; then the task, its jobs and the run are stored together and
   * the audience's next slot set. A slot that finds a run going is recorded as `skipped` instead
   * (and the next slot set). The caller enqueues the task's jobs.
   */
  startAudienceRun(start: AudienceRunStart): Promise<AudienceRunStarted>;

  /** Records a slot that was not run (skipped, or failed to plan), claiming it as `startAudienceRun` does. */
  skipAudienceSlot(
    run: AudienceRunRecord,
    slot: { due: string; next: string | null },
  ): Promise<'skipped' | 'slot_taken' | 'not_found'>;

  /** A page of the audience's runs with their tasks' state, newest first. */
  listAudienceRuns(audienceId: string, limit: number, after?: TaskCursor): Promise<AudienceRunState[]>;

  /** One run of the audience with its task's state. */
  findAudienceRun(audienceId: string, runId: string): Promise<AudienceRunState | undefined>;

  /** A run of the audience still going (its task `in_progress` or `unloading`), if any. */
  activeAudienceRun(audienceId: string): Promise<AudienceRunState | undefined>;

  /** The newest run of the audience that has a task (running or ended), with its task's state. */
  latestAudienceRun(audienceId: string): Promise<AudienceRunState | undefined>;

  /**
   * The base of the audience's next delta: its newest run created at or after `since` whose task
   * completed and which kept a snapshot.
   */
  deltaBase(audienceId: string, since: string): Promise<AudienceRunRecord | undefined>;

  /** Sets (or clears, with null) where a run's snapshot is. */
  setRunSnapshot(runId: string, snapshot: string | null): Promise<void>;

  /** The audience's runs that keep a snapshot, newest first. */
  runsWithSnapshots(audienceId: string): Promise<AudienceRunState[]>;

  /** Audiences of every organisation whose next run is due at `now`, earliest first. */
  dueAudiences(now: string, limit: number): Promise<AudienceRecord[]>;
}
