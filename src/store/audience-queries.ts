import type { Kysely, Selectable, Transaction } from 'kysely';
import type {
  AudienceRecord,
  AudienceRunRecord,
  AudienceRunStart,
  AudienceRunStarted,
  AudienceRunState,
} from './audience-records.ts';
import type { Dialect } from './live-tasks.ts';
import type { AudienceRunTable, AudienceTable, Database } from './schema.ts';
import { recordSkippedRun } from './task-events.ts';
import type { TaskCursor } from './task-records.ts';
import { toTaskRow } from './task-rows.ts';
import { ACTIVE } from './transitions/held-job.ts';
import { insertJobs } from './transitions/task-moves.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Saved audiences and their runs. A run starts in one transaction that holds the audience's row:
 * the slot's claim (its `next_run_at` still the slot), the check that no run is going, the task with
 * its jobs and the run record; `UNIQUE(audience_id, slot)` backs the claim.
 */
export class AudienceQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insertAudience(audience: AudienceRecord): Promise<boolean> {
    const inserted = await this.db
      .insertInto('audiences')
      .values(toAudienceRow(audience))
      .onConflict((conflict) => conflict.columns(['organizationId', 'name']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async findAudience(organizationId: string, audienceId: string): Promise<AudienceRecord | undefined> {
    const row = await this.db
      .selectFrom('audiences')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .where('id', '=', audienceId)
      .executeTakeFirst();
    return row && toAudience(row);
  }

  async listAudiences(organizationId: string, limit: number, after?: TaskCursor): Promise<AudienceRecord[]> {
    let query = this.db.selectFrom('audiences').selectAll().where('organizationId', '=', organizationId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('createdAt', '<', after.createdAt),
          eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toAudience);
  }

  async updateAudience(
    audience: AudienceRecord,
    expectedVersion: number,
  ): Promise<'updated' | 'not_found' | 'conflict' | 'name_taken'> {
    return this.db.transaction().execute(async (trx) => {
      const current = await lockAudience(trx, this.dialect, audience.organizationId, audience.id);
      if (!current) return 'not_found';
      if (current.version !== expectedVersion) return 'conflict';
      const clash = await trx
        .selectFrom('audiences')
        .select('id')
        .where('organizationId', '=', audience.organizationId)
        .where('name', '=', audience.name)
        .where('id', '!=', audience.id)
        .executeTakeFirst();
      if (clash) return 'name_taken';
      const { id, organizationId, createdAt, ...change } = toAudienceRow(audience);
      await trx.updateTable('audiences').set(change).where('id', '=', id).execute();
      return 'updated';
    });
  }

  async deleteAudience(organizationId: string, audienceId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const current = await lockAudience(trx, this.dialect, organizationId, audienceId);
      if (!current) return false;
      await trx.deleteFrom('audienceRuns').where('audienceId', '=', audienceId).execute();
      await trx.deleteFrom('audiences').where('id', '=', audienceId).execute();
      return true;
    });
  }

  async startAudienceRun(start: AudienceRunStart): Promise<AudienceRunStarted> {
    return this.db.transaction().execute(async (trx): Promise<AudienceRunStarted> => {
      const audience = await lockAudience(trx, this.dialect, start.organizationId, start.audienceId);
      if (!audience) return { outcome: 'not_found' };
      if (start.slot && audience.nextRunAt !== start.slot.due) return { outcome: 'slot_taken' };
      const active = await activeRun(trx, start.audienceId);
      if (active) {
        if (!start.slot) return { outcome: 'busy', activeRunId: active.id };
        const skipped: AudienceRunRecord = {
          ...start.run,
          taskId: null,
          snapshot: null,
          details: { ...(start.run.details as object), skipped: `run ${active.id} was still going` },
        };
        await insertRun(trx, skipped);
        await setNextRun(trx, start.audienceId, start.slot.next);
        await recordSkippedRun(trx, skipped, skipped.createdAt);
        return { outcome: 'skipped', run: skipped };
      }
      const latest = await latestRun(trx, start.audienceId);
      if ((latest?.id ?? null) !== start.latestRunId) return { outcome: 'stale' };
      const { record, jobs } = start.task;
      await trx.insertInto('tasks').values(toTaskRow(record)).execute();
      await insertJobs(trx, record.id, jobs, record.createdAt);
      await insertRun(trx, start.run);
      if (start.slot) await setNextRun(trx, start.audienceId, start.slot.next);
      return { outcome: 'started' };
    });
  }

  async skipAudienceSlot(
    run: AudienceRunRecord,
    slot: { due: string; next: string | null },
  ): Promise<'skipped' | 'slot_taken' | 'not_found'> {
    return this.db.transaction().execute(async (trx) => {
      const audience = await lockAudience(trx, this.dialect, run.organizationId, run.audienceId);
      if (!audience) return 'not_found';
      if (audience.nextRunAt !== slot.due) return 'slot_taken';
      await insertRun(trx, run);
      await setNextRun(trx, run.audienceId, slot.next);
      await recordSkippedRun(trx, run, run.createdAt);
      return 'skipped';
    });
  }

  async listAudienceRuns(audienceId: string, limit: number, after?: TaskCursor): Promise<AudienceRunState[]> {
    let query = runsWithTasks(this.db).where('audienceRuns.audienceId', '=', audienceId);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('audienceRuns.createdAt', '<', after.createdAt),
          eb.and([eb('audienceRuns.createdAt', '=', after.createdAt), eb('audienceRuns.id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('audienceRuns.createdAt', 'desc')
      .orderBy('audienceRuns.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRunState);
  }

  async findAudienceRun(audienceId: string, runId: string): Promise<AudienceRunState | undefined> {
    const row = await runsWithTasks(this.db)
      .where('audienceRuns.audienceId', '=', audienceId)
      .where('audienceRuns.id', '=', runId)
      .executeTakeFirst();
    return row && toRunState(row);
  }

  latestAudienceRun(audienceId: string): Promise<AudienceRunState | undefined> {
    return latestRun(this.db, audienceId);
  }

  activeAudienceRun(audienceId: string): Promise<AudienceRunState | undefined> {
    return activeRun(this.db, audienceId);
  }

  async deltaBase(audienceId: string, since: string): Promise<AudienceRunRecord | undefined> {
    const row = await this.db
      .selectFrom('audienceRuns')
      .innerJoin('tasks', 'tasks.id', 'audienceRuns.taskId')
      .selectAll('audienceRuns')
      .where('audienceRuns.audienceId', '=', audienceId)
      .where('audienceRuns.createdAt', '>=', since)
      .where('audienceRuns.snapshot', 'is not', null)
      .where('tasks.status', '=', 'completed')
      .orderBy('audienceRuns.createdAt', 'desc')
      .orderBy('audienceRuns.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRun(row);
  }

  async setRunSnapshot(runId: string, snapshot: string | null): Promise<void> {
    await this.db.updateTable('audienceRuns').set({ snapshot }).where('id', '=', runId).execute();
  }

  async runsWithSnapshots(audienceId: string): Promise<AudienceRunState[]> {
    const rows = await runsWithTasks(this.db)
      .where('audienceRuns.audienceId', '=', audienceId)
      .where('audienceRuns.snapshot', 'is not', null)
      .orderBy('audienceRuns.createdAt', 'desc')
      .orderBy('audienceRuns.id', 'desc')
      .execute();
    return rows.map(toRunState);
  }

  async dueAudiences(now: string, limit: number): Promise<AudienceRecord[]> {
    const rows = await this.db
      .selectFrom('audiences')
      .selectAll()
      .where('nextRunAt', '<=', now)
      .orderBy('nextRunAt')
      .limit(limit)
      .execute();
    return rows.map(toAudience);
  }
}

/** The audience's row, locked until the transaction ends (PostgreSQL; SQLite transactions are serial). */
async function lockAudience(
  trx: Transaction<Database>,
  dialect: Dialect,
  organizationId: string,
  audienceId: string,
) {
  const query = trx
    .selectFrom('audiences')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('id', '=', audienceId);
  if (dialect === 'postgres') return query.forUpdate().executeTakeFirst();
  // A first statement that writes takes SQLite's write lock: another process waits instead of
  // deciding from a stale snapshot (see `lockOrganization`).
  await trx
    .updateTable('audiences')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('id', '=', audienceId)
    .execute();
  return query.executeTakeFirst();
}

async function insertRun(db: Db, run: AudienceRunRecord): Promise<void> {
  await db
    .insertInto('audienceRuns')
    .values({ ...run, details: JSON.stringify(run.details) })
    .execute();
}

async function setNextRun(db: Db, audienceId: string, nextRunAt: string | null): Promise<void> {
  await db.updateTable('audiences').set({ nextRunAt }).where('id', '=', audienceId).execute();
}

function runsWithTasks(db: Db) {
  return db
    .selectFrom('audienceRuns')
    .leftJoin('tasks', 'tasks.id', 'audienceRuns.taskId')
    .selectAll('audienceRuns')
    .select([
      'tasks.status as taskStatus',
      'tasks.totalCount as taskTotalCount',
      'tasks.counts as taskCounts',
      'tasks.figures as taskFigures',
      'tasks.errorCode as taskErrorCode',
      'tasks.errorMessage as taskErrorMessage',
      'tasks.completedAt as taskCompletedAt',
      'tasks.updatedAt as taskUpdatedAt',
    ]);
}

async function latestRun(db: Db, audienceId: string): Promise<AudienceRunState | undefined> {
  const row = await runsWithTasks(db)
    .where('audienceRuns.audienceId', '=', audienceId)
    .where('audienceRuns.taskId', 'is not', null)
    .orderBy('audienceRuns.createdAt', 'desc')
    .orderBy('audienceRuns.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRunState(row);
}

async function activeRun(db: Db, audienceId: string): Promise<AudienceRunState | undefined> {
  const row = await runsWithTasks(db)
    .where('audienceRuns.audienceId', '=', audienceId)
    .where('tasks.status', 'in', ACTIVE)
    .limit(1)
    .executeTakeFirst();
  return row && toRunState(row);
}

type RunRow = Selectable<AudienceRunTable> & {
  taskStatus: Selectable<Database['tasks']>['status'] | null;
  taskTotalCount: number | null;
  taskCounts: string | null;
  taskFigures: string | null;
  taskErrorCode: string | null;
  taskErrorMessage: string | null;
  taskCompletedAt: string | null;
  taskUpdatedAt: string | null;
};

function toRunState(row: RunRow): AudienceRunState {
  const {
    taskStatus,
    taskTotalCount,
    taskCounts,
    taskFigures,
    taskErrorCode,
    taskErrorMessage,
    taskCompletedAt,
    taskUpdatedAt,
    ...run
  } = row;
  return {
    ...toRun(run),
    task:
      taskStatus === null
        ? null
        : {
            status: taskStatus,
            // bigint columns come back as numbers (see open-store.ts) or, on SQLite, as numbers already.
            totalCount: taskTotalCount === null ? null : Number(taskTotalCount),
            countsJson: taskCounts,
            figuresJson: taskFigures,
            error: taskErrorCode ? { code: taskErrorCode, message: taskErrorMessage ?? '' } : null,
            completedAt: taskCompletedAt,
            updatedAt: taskUpdatedAt ?? '',
          },
  };
}

function toRun(row: Selectable<AudienceRunTable>): AudienceRunRecord {
  return { ...row, trigger: row.trigger as AudienceRunRecord['trigger'], details: JSON.parse(row.details) };
}

function toAudience(row: Selectable<AudienceTable>): AudienceRecord {
  return { ...row, spec: JSON.parse(row.spec) };
}

function toAudienceRow(audience: AudienceRecord): AudienceTable {
  return { ...audience, spec: JSON.stringify(audience.spec) };
}
