import { messageOf } from '../errors.ts';
import type { Store, TaskRecord } from '../store/store.ts';
import type { TaskChanges } from '../tasks/task-changes.ts';
import type { JobEngine } from './job-engines.ts';

export interface JobCancelOptions {
  store: Store;
  task: Pick<TaskRecord, 'id' | 'organizationId'>;
  jobId: string;
  /** The job's DuckDB, interrupted on a cancel (none for a job that reads only footers or lists). */
  engine: Promise<JobEngine> | undefined;
  /** Tells of each change of the task, in any process; without it only the lease tells of a cancel. */
  changes?: TaskChanges;
  clock: () => Date;
  /** The cancel heard and the interrupt (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
  /** Problems worth a warning (the store could not be read). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Stops a running job once its task is cancelled, wherever the cancel was made. The task change
 * feed tells of every change of the task (in scaled-out mode, through Redis from the API process
 * that took the cancel), and each is read back from the store; the lease's renewal, which finds the
 * job cancelled, is the fallback when a notification is lost (at most a third of the lease later).
 * Cancelling interrupts the job's DuckDB query, now or as soon as its engine opens; the runner then
 * records nothing.
 */
export class JobCancel {
  private readonly controller = new AbortController();
  private readonly unfollow: () => void;
  private stopped = false;
  private checking = false;
  private checkAgain = false;
  private heardAt: number | undefined;

  constructor(private readonly options: JobCancelOptions) {
    this.unfollow = options.changes?.follow(options.task.id, () => void this.check()) ?? (() => {});
  }

  /** True once the task was found cancelled. */
  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /** Milliseconds since the cancel was heard (0 before). */
  get msSinceCancel(): number {
    return this.heardAt === undefined ? 0 : Math.round(performance.now() - this.heardAt);
  }

  /** The task was found cancelled (`via` says how): interrupts the job's query. */
  cancel(via: 'feed' | 'lease'): void {
    if (this.stopped || this.cancelled) return;
    this.heardAt = performance.now();
    this.controller.abort();
    const { jobId, task, engine, trace } = this.options;
    trace?.('interrupting a job: its task was cancelled', { jobId, taskId: task.id, via });
    void engine?.then(
      (opened) => {
        // The job may have ended meanwhile, its engine handed back to be closed.
        if (!this.stopped) opened.sandbox.interrupt();
      },
      () => undefined,
    );
  }

  /** Stops following the task: call when the job has settled, before its engine is retired. */
  stop(): void {
    this.stopped = true;
    this.unfollow();
  }

  /** Reads the task's status after a change; changes arriving during a read make one more read. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    const { store, task, clock, log } = this.options;
    try {
      do {
        this.checkAgain = false;
        const version = await store.findTaskVersion(task.organizationId, task.id, clock().toISOString());
        if (version?.status === 'cancelled') this.cancel('feed');
      } while (this.checkAgain && !this.stopped && !this.cancelled);
    } catch (error) {
      // The lease's next renewal still finds a cancel.
      log?.('could not read the task of a running job', { taskId: task.id, error: messageOf(error) });
    } finally {
      this.checking = false;
    }
  }
}
