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
import type { AudienceRecord, Store } from '../store/store.ts';
import { decodeCursor, encodeCursor } from '../tasks/task-cursor.ts';
import type { TaskService } from '../tasks/task-service.ts';
import {
  type AudienceKind,
  type AudienceSpec,
  checkDefinition,
  checkDelivery,
  specOf,
  windowOf,
  withSplitSalt,
} from './audience-model.ts';
import { AudienceRuns } from './audience-runs.ts';
import { isTimeZone, parseSchedule, slotAfter } from './audience-schedule.ts';
import { audienceDetail, audienceSummary, runView, SIZE_HISTORY_RUNS } from './audience-views.ts';
import { runTaskBody } from './audience-window.ts';

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

/**
 * Saved audiences: checked as a task's create is (so a bad filter is a 400 when saved, not a failed
 * run at 6 am), run now or on their schedule, each run an ordinary task that carries the audience.
 * A scheduled slot runs once across every process: the store claims it with the run
 * (`startAudienceRun`).
 */
export class AudienceService {
  private readonly clock: () => Date;

  private readonly runner: AudienceRuns;

  constructor(private readonly options: AudienceServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.runner = new AudienceRuns({ ...options, clock: this.clock });
  }

  async create(principal: Principal, body: AudienceBody): Promise<AudienceDetail> {
    const now = this.clock();
    const spec = this.specFrom(body.kind, {
      description: body.description ?? null,
      definition: withSplitSalt(body.definition, undefined),
      window: windowOf(body.window),
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
    const window = windowOf(body.window);
    const timezone = body.timezone ?? 'UTC';
    checkTimeZone(timezone, 'timezone');
    checkDefinition(body.kind, body.definition, window);
    const taskBody = await runTaskBody(
      body.kind,
      { definition: body.definition, window, timezone },
      this.clock(),
      this.options.latestDay,
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
      definition: patch.definition ? withSplitSalt(patch.definition, old.definition) : old.definition,
      window: patch.window === undefined ? old.window : windowOf(patch.window),
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
    await Promise.all(snapshots.map((run) => this.runner.removeSnapshot(run.snapshot!)));
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
    const started = await this.runner.start(audience, this.clock());
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
  /** Runs every audience whose slot is due at `now` (the scheduler's tick); see `AudienceRuns.runDue`. */
  runDue(now: Date = this.clock()): Promise<number> {
    return this.runner.runDue(now);
  }

  async getRun(principal: Principal, audienceId: string, runId: string): Promise<AudienceRun> {
    const audience = await this.find(principal, audienceId);
    const run = await this.options.store.findAudienceRun(audience.id, runId);
    if (!run) throw new AppError('audience_run_not_found', `audience ${audienceId} has no run ${runId}`);
    return runView(run);
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
    await this.options.tasks.plan(kind, await runTaskBody(kind, spec, now, this.options.latestDay));
  }

  private nextRun(spec: AudienceSpec, now: Date): string | null {
    if (!spec.rule || spec.paused || !spec.anchor) return null;
    return slotAfter(spec.rule, now, new Date(spec.anchor)).toISOString();
  }

  private async detailOf(audience: AudienceRecord): Promise<AudienceDetail> {
    const runs = await this.options.store.listAudienceRuns(audience.id, SIZE_HISTORY_RUNS);
    // The days the next run would read: at its slot, or now for an audience run by hand.
    const at = audience.nextRunAt ? new Date(audience.nextRunAt) : this.clock();
    const days =
      audience.kind === 'intent'
        ? await runTaskBody('intent', specOf(audience), at, this.options.latestDay)
            .then((body) => (body as IntentTaskBody).days ?? null)
            .catch(() => null)
        : null;
    return audienceDetail(audience, runs, days);
  }

  private async find(principal: Principal, audienceId: string): Promise<AudienceRecord> {
    const audience = await this.options.store.findAudience(principal.organizationId, audienceId);
    if (!audience) throw audienceNotFound(audienceId);
    return audience;
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
