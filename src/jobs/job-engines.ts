import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EngineLimits } from '../catalog/input-schema.ts';
import { type Sandbox, SandboxPool } from '../engine/duckdb-sandbox.ts';
import type { Storage } from '../storage/storage.ts';
import type { TaskPlan } from '../tasks/task-model.ts';

/** A job's DuckDB and the scratch folder it writes into. */
export interface JobEngine {
  sandbox: Sandbox;
  scratch: string;
}

export interface JobEnginesOptions {
  storage: Storage;
  engine: EngineLimits;
  /**
   * Jobs of this lane the process runs at once (its slots): as many DuckDB instances are kept
   * started ahead of them, and a task split into more jobs runs only this many here at a time.
   * @defaultValue none kept started, and no bound on the jobs side by side
   */
  slots?: number;
  /** Problems worth a warning (a scratch folder left behind). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** The folder of the scratch root where finished jobs' folders wait to be removed. */
const REMOVING = '.removing';

/** Opens and retires the locked-down DuckDB of each job, with the scratch folder it may write. */
export class JobEngines {
  private readonly pool: SandboxPool;
  /**
   * The run that holds each scratch folder now. A job run again at once (a retry, a quick
   * redelivery) opens the same folder before the previous run's retire removes it: that removal
   * must then leave the folder to the new run. A run claims the folder before its first await.
   */
  private readonly holders = new Map<string, symbol>();
  /** The claim each opened engine made on its folder. */
  private readonly claims = new WeakMap<JobEngine, symbol>();
  /** Jobs that opened an engine here and have not retired it: they share the cores. */
  private running = 0;

  constructor(private readonly options: JobEnginesOptions) {
    const { threads, memoryLimit } = options.engine;
    this.pool = new SandboxPool({ threads, memoryLimit }, options.slots ?? 0);
    this.pool.warm();
  }

  /**
   * One locked-down DuckDB per job, allowed only the job's input root (`inputRoot`: the task's,
   * unless its phase reads elsewhere) and its own scratch folder.
   *
   * Its threads are the cores shared out among the jobs that run at once in this process: the
   * instance starts at once, and is locked down with its threads when `sharing` tells how many of
   * the job's own task run beside it (more than one after the job split itself; no more than the
   * lane's slots, as the others wait for one). Two instances each with every core, side by side,
   * only contend: on 2 cores a 549 MB export split in two jobs took 1.26 times a raw `COPY` with 2
   * threads each, 1.10 times with 1 each. A job alone in its slot keeps every core: a count split
   * in three jobs on one count slot, each with one of 2 threads, took 1.5 times raw DuckDB.
   */
  async open(
    jobId: string,
    plan: TaskPlan,
    sharing: Promise<number> = Promise.resolve(1),
    inputRoot: string = plan.inputRoot,
  ): Promise<JobEngine> {
    const { storage } = this.options;
    this.running += 1;
    const scratch = path.join(storage.scratchDir(), jobId);
    const claim = Symbol(jobId);
    this.holders.set(scratch, claim);
    await fs.rm(scratch, { recursive: true, force: true });
    await fs.mkdir(path.join(scratch, 'tmp'), { recursive: true });
    const slots = this.options.slots ?? Number.POSITIVE_INFINITY;
    const threads = sharing.then((jobs) =>
      Math.max(1, Math.floor(this.options.engine.threads / Math.max(1, Math.min(jobs, slots), this.running))),
    );
    try {
      const sandbox = await this.pool.open({
        timeoutMs: this.options.engine.timeoutMs,
        allowedDirectories: [...storage.localInputDirs(inputRoot), scratch],
        tempDirectory: path.join(scratch, 'tmp'),
        threads,
      });
      const opened = { sandbox, scratch };
      this.claims.set(opened, claim);
      return opened;
    } catch (error) {
      this.removeScratch(scratch, claim);
      throw error;
    }
  }

  /**
   * Hands a finished job's DuckDB back to the pool, which closes it shortly (closing blocks the
   * thread, and the readers woken by the job's end are answered first), then removes its scratch
   * folder. An engine that failed to open has neither.
   */
  async retire(engine: Promise<JobEngine>): Promise<void> {
    this.running -= 1;
    const opened = await engine.catch(() => undefined);
    if (!opened) return;
    const claim = this.claims.get(opened);
    this.pool.retire(opened.sandbox, () => {
      if (claim) this.removeScratch(opened.scratch, claim);
    });
  }

  /**
   * Removes a scratch folder unless a newer run of its job holds it: the check and the move out of
   * the way happen in one turn of the event loop, so the new run's folder is never the one removed.
   */
  private removeScratch(scratch: string, claim: symbol): void {
    if (this.holders.get(scratch) !== claim) return;
    this.holders.delete(scratch);
    // Out of the scratch root, into a folder of its own: the root lists the jobs' folders only.
    const removing = path.join(path.dirname(scratch), REMOVING);
    const doomed = path.join(removing, `${path.basename(scratch)}-${process.hrtime.bigint()}`);
    try {
      fsSync.mkdirSync(removing, { recursive: true });
      fsSync.renameSync(scratch, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.options.log?.('scratch folder not removed', { scratch, error: String(error) });
      return;
    }
    fs.rm(doomed, { recursive: true, force: true }).catch((error: unknown) =>
      this.options.log?.('scratch folder not removed', { scratch: doomed, error: String(error) }),
    );
  }

  /** Closes the DuckDB instances kept ready (after the queue has stopped delivering jobs). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
