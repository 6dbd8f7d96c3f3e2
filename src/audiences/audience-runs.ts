import { randomUUID } from 'node:crypto';
import type { AudienceRunStarted } from '../contract/audience-schemas.ts';
import type { IntentTaskBody } from '../contract/task-body-schemas.ts';
import { AppError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { AudienceRecord, AudienceRunRecord, Store } from '../store/store.ts';
import type { PlannedTask } from '../tasks/planning/task-planner.ts';
import type { TaskService } from '../tasks/task-service.ts';
import { type AudienceKind, type RunDetails, renderDeliveryPath, slugOf, specOf } from './audience-model.ts';
import { dueSlot, zonedDate } from './audience-schedule.ts';
import { runTaskBody } from './audience-window.ts';

export interface AudienceRunsOptions {
  store: Store;
  tasks: TaskService;
  storage: Storage;
  /** The newest day of the intent data (the catalog's), for windows that end at `latest`. */
  latestDay: () => Promise<string | null>;
  /** Root of the service's own snapshots of audience members (not the customers' output). */
  snapshotPath: string;
  /** Snapshots kept per audience besides its delta base. @defaultValue 3 */
  snapshotsKept?: number;
  clock: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** A scheduled run's slot: the one it runs for, the audience's `nextRunAt` it claims, and the next. */
interface SlotClaim {
  slot: Date;
  due: string;
  next: string | null;
  missed: number;
}

/** How often a run start is planned again when another run started in between. */
const STALE_RETRIES = 3;

/**
 * Starting an audience's runs, by hand or for its due slots, and keeping its member snapshots. A
 * scheduled slot runs once across every process: the store claims it with the run, its task and
 * its jobs in one transaction (`startAudienceRun`).
 */
export class AudienceRuns {
  constructor(private readonly options: AudienceRunsOptions) {}

  /**
   * Runs every audience whose slot is due at `now` (the scheduler's tick), each once: of several
   * processes ticking at once, the store lets one claim a slot. Answers how many slots were claimed
   * here (runs started or skipped).
   */
  async runDue(now: Date = this.options.clock()): Promise<number> {
    const due = await this.options.store.dueAudiences(now.toISOString(), 20);
    let claimed = 0;
    for (const audience of due) {
      try {
        if (await this.runSlot(audience, now)) claimed += 1;
      } catch (error) {
        this.options.log?.('audience slot not run', { audienceId: audience.id, error: String(error) });
      }
    }
    return claimed;
  }

  private async runSlot(audience: AudienceRecord, now: Date): Promise<boolean> {
    const spec = specOf(audience);
    if (!spec.rule || !audience.nextRunAt || !spec.anchor) return false;
    const due = dueSlot(spec.rule, new Date(audience.nextRunAt), now, new Date(spec.anchor));
    if (!due) return false;
    const claim = {
      slot: due.slot,
      due: audience.nextRunAt,
      next: due.next.toISOString(),
      missed: due.missed,
    };
    return (await this.start(audience, due.slot, claim)) !== undefined;
  }

  /**
   * Starts a run for `at` (now, or a slot): plans its task (the days of its window at `at`, its delta
   * base), then has the store check and store it with the run in one transaction. A slot that finds
   * a run still going, or cannot be planned, is recorded as skipped. Undefined when the slot was
   * claimed elsewhere, or the audience is gone.
   */
  async start(
    audience: AudienceRecord,
    at: Date,
    claim?: SlotClaim,
  ): Promise<AudienceRunStarted | undefined> {
    const { store, tasks } = this.options;
    for (let attempt = 0; attempt < STALE_RETRIES; attempt += 1) {
      const [latest, active] = await Promise.all([
        store.latestAudienceRun(audience.id),
        store.activeAudienceRun(audience.id),
      ]);
      const now = this.options.clock().toISOString();
      const run: AudienceRunRecord = {
        id: randomUUID(),
        audienceId: audience.id,
        organizationId: audience.organizationId,
        version: audience.version,
        trigger: claim ? 'schedule' : 'manual',
        slot: claim ? claim.slot.toISOString() : null,
        taskId: null,
        snapshot: null,
        details: {
          days: null,
          baseline: null,
          previousRunId: null,
          previousVersion: null,
          missed: claim?.missed ?? 0,
        },
        createdAt: now,
      };
      if (active) {
        if (!claim) throw runInProgress(audience.id, active.id);
        await this.skip(run, claim, `run ${active.id} was still going`);
        return undefined;
      }
      let planned: { task: PlannedTask; details: RunDetails; snapshot: string | null };
      try {
        planned = await this.planRun(audience, run, at);
      } catch (error) {
        if (!claim) throw error;
        await this.skip(
          run,
          claim,
          `the run could not be planned: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      }
      const taskId = randomUUID();
      const task = tasks.newTask(audience.organizationId, planned.task, taskId);
      const started = await store.startAudienceRun({
        organizationId: audience.organizationId,
        audienceId: audience.id,
        ...(claim ? { slot: { due: claim.due, next: claim.next } } : {}),
        latestRunId: latest?.id ?? null,
        run: { ...run, taskId, snapshot: planned.snapshot, details: planned.details },
        task,
      });
      switch (started.outcome) {
        case 'started':
          await tasks.release(task.record, task.jobs);
          await this.pruneSnapshots(audience.id).catch((error: unknown) =>
            this.options.log?.('audience snapshots not pruned', {
              audienceId: audience.id,
              error: String(error),
            }),
          );
          return {
            run_id: run.id,
            task_id: taskId,
            audience_id: audience.id,
            days: planned.details.days,
            baseline: planned.details.baseline,
            previous_run_id: planned.details.previousRunId,
          };
        case 'busy':
          throw runInProgress(audience.id, started.activeRunId);
        case 'stale':
          continue;
        default:
          // skipped (recorded by the store), slot_taken (another process ran it), not_found (deleted).
          return undefined;
      }
    }
    throw new AppError('audience_changed', `runs of audience ${audience.id} kept starting meanwhile; retry`);
  }

  private async skip(run: AudienceRunRecord, claim: SlotClaim, reason: string): Promise<void> {
    const details = { ...(run.details as RunDetails), skipped: reason };
    await this.options.store.skipAudienceSlot({ ...run, details }, { due: claim.due, next: claim.next });
    this.options.log?.('audience slot skipped', { audienceId: run.audienceId, slot: run.slot, reason });
  }

  /** The run's task as a create would plan it, with the audience's delivery and delta base. */
  private async planRun(
    audience: AudienceRecord,
    run: AudienceRunRecord,
    at: Date,
  ): Promise<{ task: PlannedTask; details: RunDetails; snapshot: string | null }> {
    const spec = specOf(audience);
    const { store, storage, snapshotPath } = this.options;
    const kind = audience.kind as AudienceKind;
    const body = await runTaskBody(kind, spec, at, this.options.latestDay);
    const task = await this.options.tasks.plan(kind, body);
    const details: RunDetails = {
      ...(run.details as RunDetails),
      days: kind === 'intent' ? (body as IntentTaskBody).days : null,
    };
    let snapshot: string | null = null;
    if (spec.delivery.mode === 'delta') {
      const base = await store.deltaBase(audience.id, audience.baselineFrom);
      snapshot = storage.join(snapshotPath, `${audience.organizationId}/${audience.id}/${run.id}`);
      task.request.plan.delta = {
        snapshot,
        previous: base?.snapshot ?? null,
        previousRunId: base?.id ?? null,
      };
      details.baseline = base ? 'previous' : 'new';
      details.previousRunId = base?.id ?? null;
      details.previousVersion = base?.version ?? null;
    }
    if (spec.delivery.path !== null) {
      const folder = renderDeliveryPath(spec.delivery.path, {
        audience: slugOf(audience.name),
        date: zonedDate(at, spec.timezone),
        runId: run.id,
      });
      task.request.plan.outputFolder = `${audience.organizationId}/${folder}`;
    }
    task.request.audience = {
      audience_id: audience.id,
      run_id: run.id,
      name: audience.name,
      version: audience.version,
    };
    return { task, details, snapshot };
  }

  /**
   * Keeps the snapshots of the newest runs (`snapshotsKept`) and of the delta base, whatever its
   * age; removes the others' files and forgets them.
   */
  private async pruneSnapshots(audienceId: string): Promise<void> {
    const { store } = this.options;
    const runs = await store.runsWithSnapshots(audienceId);
    const base = runs.find((run) => run.task?.status === 'completed');
    const kept = this.options.snapshotsKept ?? 3;
    for (const run of runs.slice(kept)) {
      if (run.id === base?.id) continue;
      await this.removeSnapshot(run.snapshot!);
      await store.setRunSnapshot(run.id, null);
    }
  }

  /** Removes a run's snapshot folder (the audience is deleted, or the run pruned). */
  removeSnapshot(folder: string): Promise<void> {
    return this.options.storage.remove(folder);
  }
}

function runInProgress(audienceId: string, runId: string): AppError {
  return new AppError(
    'audience_run_in_progress',
    `run ${runId} of audience ${audienceId} is still going; wait for it to end (or cancel its task)`,
  );
}
