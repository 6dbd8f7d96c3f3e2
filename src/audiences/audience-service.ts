import { randomUUID } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import type { Principal } from '../accounts/account-service.ts';
import type {
  AudienceBody,
  AudienceDetail,
  AudienceEstimateBody,
  AudienceList,
  AudiencePatch,
  AudienceRun,
  AudienceRunList,
  AudienceRunStarted,
} from '../contract/audience-schemas.ts';
import type { GenericTaskBody, IntentTaskBody } from '../contract/task-body-schemas.ts';
import type { TaskEstimateReply } from '../contract/task-schemas.ts';
import { AppError, invalidField } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { AudienceRecord, AudienceRunRecord, Store } from '../store/store.ts';
import type { PlannedTask } from '../tasks/planning/task-planner.ts';
import { decodeCursor, encodeCursor } from '../tasks/task-cursor.ts';
import type { TaskService } from '../tasks/task-service.ts';
import {
  type AudienceKind,
  type AudienceSpec,
  checkDefinition,
  checkDelivery,
  type RunDetails,
  renderDeliveryPath,
  slugOf,
  specOf,
} from './audience-model.ts';
import { dueSlot, isTimeZone, parseSchedule, slotAfter, zonedDate } from './audience-schedule.ts';
import { audienceDetail, audienceSummary, runView, SIZE_HISTORY_RUNS } from './audience-views.ts';
import { resolveWindow } from './audience-window.ts';

export interface AudienceServiceOptions {
  store: Store;
  tasks: TaskService;
  storage: Storage;
  /** The newest day of the intent data (the catalog's), for windows that end at `latest`. */
  latestDay: () => Promise<string | null>;
  /** Root of the service's own snapshots of audience members (not the customers' output). */
  snapshotPath: string;
  /** Snapshots kept per audience besides its delta base. @defaultValue 3 */
  snapshotsKept?: number;
  /** The shortest schedule interval (SCHEDULE_MIN_INTERVAL). */
  minIntervalMs: number;
  clock?: () => Date;
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
 * Saved audiences: checked as a task's create is (so a bad filter is a 400 when saved, not a failed
 * run at 6 am), run now or on their schedule, each run an ordinary task that carries the audience.
 * A scheduled slot runs once across every process: the store claims it with the run
 * (`startAudienceRun`).
 */
export class AudienceService {
  private readonly clock: () => Date;

  constructor(private readonly options: AudienceServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async create(principal: Principal, body: AudienceBody): Promise<AudienceDetail> {
    const now = this.clock();
    const spec = this.specFrom(body.kind, {
      description: body.description ?? null,
      definition: body.definition,
      window: body.window ? { last_days: body.window.last_days, until: body.window.until ?? 'latest' } : null,
      timezone: body.timezone ?? 'UTC',
      schedule: body.schedule ?? null,
      paused: body.paused ?? false,
      delivery: { mode: body.delivery?.mode ?? 'full', path: body.delivery?.path ?? null },
      anchor: now.toISOString(),
    });
    await this.plan(body.kind, spec, now);
    const audience: AudienceRecord = {
      id: randomUUID(),
      organizationId: principal.organizationId,
      name: body.name,
      kind: body.kind,
      spec,
      version: 1,
      nextRunAt: this.nextRun(spec, now),
      baselineFrom: now.toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    if (!(await this.options.store.insertAudience(audience))) throw nameTaken(body.name);
    return this.detailOf(audience);
  }

  /** What the audience's next run would read, as a task's estimate answers it. */
  async estimate(body: AudienceEstimateBody): Promise<TaskEstimateReply> {
    const window = body.window
      ? { last_days: body.window.last_days, until: body.window.until ?? 'latest' }
      : null;
    const timezone = body.timezone ?? 'UTC';
    checkTimeZone(timezone, 'timezone');
    checkDefinition(body.kind, body.definition, window);
    const taskBody = await this.taskBody(
      body.kind,
      { definition: body.definition, window, timezone },
      this.clock(),
    );
    return body.kind === 'intent'
      ? this.options.tasks.estimateIntentTask(taskBody as IntentTaskBody)
      : this.options.tasks.estimateGenericTask(taskBody as GenericTaskBody);
  }

  async get(principal: Principal, audienceId: string): Promise<AudienceDetail> {
    return this.detailOf(await this.find(principal, audienceId));
  }

  async list(principal: Principal, limit: number, cursor: string | undefined): Promise<AudienceList> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const { store } = this.options;
    const found = await store.listAudiences(principal.organizationId, limit + 1, after);
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      audiences: await Promise.all(
        page.map(async (audience) =>
          audienceSummary(audience, await store.listAudienceRuns(audience.id, SIZE_HISTORY_RUNS)),
        ),
      ),
      next_cursor:
        found.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /**
   * Changes any field. A changed definition or window makes a new version (a changed definition
   * also makes the next delta a baseline: its people are not comparable with the last run's); a
   * changed schedule, or a resumed one, counts its slots from now.
   */
  async update(principal: Principal, audienceId: string, patch: AudiencePatch): Promise<AudienceDetail> {
    const current = await this.find(principal, audienceId);
    const now = this.clock();
    const old = specOf(current);
    const scheduleChanged = patch.schedule !== undefined && !same(patch.schedule, old.schedule);
    const resumed = patch.paused === false && old.paused;
    const spec = this.specFrom(current.kind as AudienceKind, {
      description: patch.description !== undefined ? patch.description : old.description,
      definition: patch.definition ?? old.definition,
      window:
        patch.window === undefined
          ? old.window
          : patch.window && { last_days: patch.window.last_days, until: patch.window.until ?? 'latest' },
      timezone: patch.timezone ?? old.timezone,
      schedule: patch.schedule !== undefined ? patch.schedule : old.schedule,
      paused: patch.paused ?? old.paused,
      delivery: {
        mode: patch.delivery?.mode ?? old.delivery.mode,
        path: patch.delivery?.path !== undefined ? patch.delivery.path : old.delivery.path,
      },
      anchor: scheduleChanged || resumed ? now.toISOString() : old.anchor,
    });
    const definitionChanged = !same(spec.definition, old.definition);
    const selects = definitionChanged || !same(spec.window, old.window);
    if (selects) await this.plan(current.kind as AudienceKind, spec, now);
    const keepsSlot = !scheduleChanged && !resumed && spec.timezone === old.timezone;
    const updated: AudienceRecord = {
      ...current,
      name: patch.name ?? current.name,
      spec,
      version: selects ? current.version + 1 : current.version,
      nextRunAt: spec.paused
        ? null
        : keepsSlot && current.nextRunAt
          ? current.nextRunAt
          : this.nextRun(spec, now),
      baselineFrom: definitionChanged ? now.toISOString() : current.baselineFrom,
      updatedAt: now.toISOString(),
    };
    const outcome = await this.options.store.updateAudience(updated, current.version);
    if (outcome === 'not_found') throw audienceNotFound(audienceId);
    if (outcome === 'name_taken') throw nameTaken(updated.name);
    if (outcome === 'conflict') {
      throw new AppError(
        'audience_changed',
        `audience ${audienceId} was changed meanwhile; read it again and retry`,
      );
    }
    return this.detailOf(updated);
  }

  async delete(principal: Principal, audienceId: string): Promise<void> {
    const audience = await this.find(principal, audienceId);
    const snapshots = await this.options.store.runsWithSnapshots(audience.id);
    if (!(await this.options.store.deleteAudience(principal.organizationId, audienceId))) {
      throw audienceNotFound(audienceId);
    }
    // Finished runs keep their exports (they expire as any task); the service's snapshots go.
    await Promise.all(snapshots.map((run) => this.removeSnapshot(run.snapshot!)));
  }

  /** Makes the next delta run a baseline: every member delivered as added. */
  async resync(principal: Principal, audienceId: string): Promise<AudienceDetail> {
    const current = await this.find(principal, audienceId);
    const now = this.clock().toISOString();
    const updated = { ...current, baselineFrom: now, updatedAt: now };
    const outcome = await this.options.store.updateAudience(updated, current.version);
    if (outcome === 'not_found') throw audienceNotFound(audienceId);
    if (outcome !== 'updated') throw changedMeanwhile(audienceId);
    return this.detailOf(updated);
  }

  /** Runs the audience now. 409 while a run of it is still going. */
  async run(principal: Principal, audienceId: string): Promise<AudienceRunStarted> {
    const audience = await this.find(principal, audienceId);
    const started = await this.start(audience, this.clock());
    if (!started) throw new AppError('not_found', `audience ${audienceId} was deleted`);
    return started;
  }

  async runs(
    principal: Principal,
    audienceId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<AudienceRunList> {
    const audience = await this.find(principal, audienceId);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const found = await this.options.store.listAudienceRuns(audience.id, limit + 1, after);
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      runs: page.map(runView),
      next_cursor:
        found.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /** One run of the audience, with what its task counted. */
  async getRun(principal: Principal, audienceId: string, runId: string): Promise<AudienceRun> {
    const audience = await this.find(principal, audienceId);
    const run = await this.options.store.findAudienceRun(audience.id, runId);
    if (!run) throw new AppError('audience_run_not_found', `audience ${audienceId} has no run ${runId}`);
    return runView(run);
  }

  /**
   * Runs every audience whose slot is due at `now` (the scheduler's tick), each once: of several
   * processes ticking at once, the store lets one claim a slot. Answers how many slots were claimed
   * here (runs started or skipped).
   */
  async runDue(now: Date = this.clock()): Promise<number> {
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
  private async start(
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
      const now = this.clock().toISOString();
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
    const body = await this.taskBody(kind, spec, at);
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

  /** The task body of a run at `at`: the definition, with the window's days. */
  private async taskBody(
    kind: AudienceKind,
    spec: Pick<AudienceSpec, 'definition' | 'window' | 'timezone'>,
    at: Date,
  ): Promise<IntentTaskBody | GenericTaskBody> {
    const body = { ...spec.definition, perform_unload: true };
    if (kind === 'intent' && spec.window) {
      return {
        ...body,
        days: await resolveWindow(spec.window, spec.timezone, at, this.options.latestDay),
      } as IntentTaskBody;
    }
    return body as unknown as IntentTaskBody | GenericTaskBody;
  }

  /**
   * Checks a spec as a create would its task: the definition against its kind's body, the window,
   * time zone, schedule and delivery; the planner then checks the task a run at `now` would be.
   */
  private specFrom(kind: AudienceKind, fields: Omit<AudienceSpec, 'rule'>): AudienceSpec {
    checkTimeZone(fields.timezone, 'timezone');
    checkDefinition(kind, fields.definition, fields.window);
    checkDelivery(fields.definition, fields.delivery);
    const rule = parseSchedule(fields.schedule, this.options.minIntervalMs, fields.timezone, this.clock());
    return { ...fields, rule };
  }

  private async plan(kind: AudienceKind, spec: AudienceSpec, now: Date): Promise<void> {
    await this.options.tasks.plan(kind, await this.taskBody(kind, spec, now));
  }

  private nextRun(spec: AudienceSpec, now: Date): string | null {
    if (!spec.rule || spec.paused || !spec.anchor) return null;
    return slotAfter(spec.rule, now, new Date(spec.anchor)).toISOString();
  }

  private async detailOf(audience: AudienceRecord): Promise<AudienceDetail> {
    const runs = await this.options.store.listAudienceRuns(audience.id, SIZE_HISTORY_RUNS);
    const spec = specOf(audience);
    let days: string[] | null = null;
    if (audience.kind === 'intent') {
      const at = audience.nextRunAt ? new Date(audience.nextRunAt) : this.clock();
      days = spec.window
        ? await resolveWindow(spec.window, spec.timezone, at, this.options.latestDay).catch(() => null)
        : ((spec.definition.days as string[] | undefined) ?? null);
    }
    return audienceDetail(audience, runs, days);
  }

  private async find(principal: Principal, audienceId: string): Promise<AudienceRecord> {
    const audience = await this.options.store.findAudience(principal.organizationId, audienceId);
    if (!audience) throw audienceNotFound(audienceId);
    return audience;
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

  private removeSnapshot(folder: string): Promise<void> {
    return this.options.storage.remove(folder);
  }
}

function same(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

function checkTimeZone(timezone: string, field: string): void {
  if (!isTimeZone(timezone)) {
    throw invalidField(
      field,
      `${JSON.stringify(timezone)} is not an IANA time zone; use e.g. UTC or Europe/Berlin`,
    );
  }
}

function audienceNotFound(audienceId: string): AppError {
  return new AppError('audience_not_found', `no audience ${audienceId} in your organisation`);
}

function nameTaken(name: string): AppError {
  return new AppError(
    'audience_name_taken',
    `your organisation has an audience named ${JSON.stringify(name)} already; choose another name`,
    [{ field: 'name', message: 'is taken' }],
  );
}

function changedMeanwhile(audienceId: string): AppError {
  return new AppError(
    'audience_changed',
    `audience ${audienceId} was changed meanwhile; read it again and retry`,
  );
}

function runInProgress(audienceId: string, runId: string): AppError {
  return new AppError(
    'audience_run_in_progress',
    `run ${runId} of audience ${audienceId} is still going; wait for it to end (or cancel its task)`,
  );
}
