import type { Principal } from '../accounts/account-service.ts';
import { parquetSource } from '../catalog/partition-inputs.ts';
import type { OverlapBody, OverlapReply } from '../contract/overlap-schemas.ts';
import { EngineTimeoutError, isOutOfMemory, type Sandbox } from '../engine/duckdb-sandbox.ts';
import { passesFor } from '../engine/hash-passes.ts';
import { AppError, invalidField } from '../errors.ts';
import type { Store, TaskRecord } from '../store/store.ts';
import { peopleQueryOf } from '../tasks/people-query.ts';
import { peopleOf, type StoredRequest } from '../tasks/task-model.ts';
import type { TaskService } from '../tasks/task-service.ts';
import { SLICE_BUCKETS } from '../tasks/unique-slices.ts';
import {
  type MaskCount,
  maskCountsSql,
  memberTypeSql,
  type OverlapSegment,
  overlapFigures,
  WHOLE,
} from './overlap-sql.ts';

export interface OverlapServiceOptions {
  store: Store;
  tasks: TaskService;
  /**
   * Input bytes whose members one hash pass holds, as a unique count's job holds its input's
   * people (`sliceBounds` in `composition/engine-budgets.ts`): sets whose input is larger are counted in more passes,
   * each reading all of it and holding a share of the members, up to `MAX_OVERLAP_PASSES`.
   * @defaultValue no bound: one pass
   */
  maxPassBytes?: number;
}

/** The most hash passes of one overlap: as many as a sliced unique count has buckets at least. */
export const MAX_OVERLAP_PASSES = SLICE_BUCKETS;

/** Runs of an audience looked through for its last completed one. */
const RUNS_LOOKED_AT = 100;
/** Statuses whose count is final: the segment the task stands for is settled. */
const COUNTED = new Set(['counted', 'completed']);

interface NamedSet {
  task: TaskRecord;
  audienceId: string | null;
  name: string | null;
}

/**
 * How the segments of 2-10 tasks (or saved audiences' last completed runs) overlap, counted exactly:
 * every member (distinct non-null `unique_by` value) of any set is folded to the bit mask of the
 * sets holding it, in one DuckDB query of the API process bounded as a preview is.
 */
export class OverlapService {
  constructor(private readonly options: OverlapServiceOptions) {}

  async overlap(principal: Principal, body: OverlapBody): Promise<OverlapReply> {
    const sets = await this.setsOf(principal, body);
    const uniqueBy = sameUniqueBy(sets, body.task_ids ? 'task_ids' : 'audience_ids');
    const { counts, passes } = await this.count(sets);
    const figures = overlapFigures(sets.length, counts);
    const key = (i: number) => String.fromCharCode(65 + i);
    return {
      unique_by: uniqueBy,
      sets: sets.map((set, i) => ({
        key: key(i),
        task_id: set.task.id,
        audience_id: set.audienceId,
        name: set.name,
        size: figures.sizes[i]!,
      })),
      union: figures.union,
      pairs: figures.pairs.map((pair) => ({ ...pair, a: key(pair.a), b: key(pair.b) })),
      regions:
        figures.regions?.map(({ mask, count }) => ({
          sets: sets
            .map((_, i) => i)
            .filter((i) => (mask & (1 << i)) !== 0)
            .map(key),
          size: count,
        })) ?? null,
      passes,
    };
  }

  private async setsOf(principal: Principal, body: OverlapBody): Promise<NamedSet[]> {
    const { task_ids: taskIds, audience_ids: audienceIds } = body;
    if ((taskIds === undefined) === (audienceIds === undefined)) {
      throw invalidField('task_ids', 'give task_ids or audience_ids (2 to 10 ids), exactly one of the two');
    }
    if (taskIds) {
      const tasks = [];
      for (const id of taskIds) tasks.push(checkCounted(await this.options.tasks.find(principal, id)));
      return tasks.map((task) => ({ task, audienceId: null, name: task.name }));
    }
    const sets: NamedSet[] = [];
    for (const id of audienceIds!) {
      const audience = await this.options.store.findAudience(principal.organizationId, id);
      if (!audience) throw new AppError('audience_not_found', `no audience ${id} in your organisation`);
      const runs = await this.options.store.listAudienceRuns(audience.id, RUNS_LOOKED_AT);
      const run = runs.find((r) => r.taskId !== null && r.task?.status === 'completed');
      const task = run ? await this.options.tasks.find(principal, run.taskId!).catch(() => null) : null;
      if (!task) {
        throw new AppError(
          'audience_not_completed',
          `audience ${id} (${audience.name}) has no completed run whose task is still kept; run it (POST /api/v1/audiences/${id}/run) and compare once it completes`,
        );
      }
      sets.push({ task, audienceId: audience.id, name: audience.name });
    }
    return sets;
  }

  /**
   * The mask counts of the sets' members, in as many hash passes as their input needs (see
   * `passesFor`), all of them within the preview's time limit.
   */
  private async count(sets: readonly NamedSet[]): Promise<{ counts: MaskCount[]; passes: number }> {
    const tasks = sets.map((set) => set.task);
    try {
      return await this.options.tasks.readSegments(tasks, async (sandbox, staged) => {
        const segments: OverlapSegment[] = staged.map(({ plan, files }) => {
          const people = peopleOf(plan);
          return {
            source: parquetSource(files, plan),
            personBy: plan.uniqueBy!,
            whereSql: plan.whereSql,
            people: people ? peopleQueryOf(plan, people) : null,
          };
        });
        const of = passesFor(
          staged.reduce((sum, segment) => sum + segment.bytes, 0),
          this.options.maxPassBytes,
          MAX_OVERLAP_PASSES,
        );
        return { counts: await countInPasses(sandbox, segments, of), passes: of };
      });
    } catch (error) {
      if (error instanceof EngineTimeoutError) {
        throw new AppError(
          'overlap_too_large',
          `the overlap was not counted within ${Math.round(error.timeoutMs / 1000)} s and was stopped; compare fewer or narrower tasks (fewer days, a filter), or export them and join the files`,
        );
      }
      if (isOutOfMemory(error)) {
        throw new AppError(
          'overlap_too_large',
          "the overlap's members do not fit in the memory one API request may use; compare fewer or narrower tasks (fewer days, a filter), or export them and join the files",
        );
      }
      throw error;
    }
  }
}

/**
 * The mask counts of `of` hash passes added up, every pass within the sandbox's one time limit
 * (the whole's, not each pass's).
 */
async function countInPasses(
  sandbox: Sandbox,
  segments: readonly OverlapSegment[],
  of: number,
): Promise<MaskCount[]> {
  const type = of > 1 ? await memberType(sandbox, segments) : WHOLE.type;
  const limit = sandbox.timeoutMs;
  const deadline = limit === undefined ? Number.POSITIVE_INFINITY : Date.now() + limit;
  const byMask = new Map<number, number>();
  for (let pass = 0; pass < of; pass++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new EngineTimeoutError(limit!);
    const sql = maskCountsSql(segments, { pass, of, type });
    const rows = await sandbox
      .query(sql, undefined, limit === undefined ? undefined : left)
      .catch((error) => {
        throw error instanceof EngineTimeoutError ? new EngineTimeoutError(limit!) : error;
      });
    for (const row of rows) {
      const mask = Number(row.mask);
      byMask.set(mask, (byMask.get(mask) ?? 0) + Number(row.n));
    }
  }
  return [...byMask].sort(([a], [b]) => a - b).map(([mask, count]) => ({ mask, count }));
}

/** The type the sets' members are compared as: a pass hashes them as that type. */
async function memberType(sandbox: Sandbox, segments: readonly OverlapSegment[]): Promise<string> {
  const [column] = await sandbox.query(`DESCRIBE ${memberTypeSql(segments)}`);
  return String(column?.column_type ?? WHOLE.type);
}

function checkCounted(task: TaskRecord): TaskRecord {
  if (!COUNTED.has(task.status)) {
    throw new AppError(
      'task_state_conflict',
      `task ${task.id} is ${task.status}; only counted or completed tasks can be compared${task.status === 'in_progress' ? ': wait until it is counted' : ': create it again with unique_by'}`,
    );
  }
  return task;
}

/** The one `unique_by` of every set; a 400 naming each task's when they differ or one has none. */
function sameUniqueBy(sets: readonly NamedSet[], field: string): string {
  const of = (set: NamedSet) => (set.task.request as StoredRequest).plan.uniqueBy ?? null;
  const missing = sets.find((set) => of(set) === null);
  if (missing) {
    throw invalidField(
      field,
      `task ${missing.task.id} has no unique_by: an overlap compares distinct people; count it with unique_by (e.g. "person_id") and compare that task`,
    );
  }
  const values = new Set(sets.map(of));
  if (values.size > 1) {
    const each = sets.map((set) => `${set.task.id}: ${of(set)}`).join(', ');
    throw invalidField(
      field,
      `the tasks count different unique_by columns (${each}); compare tasks with the same unique_by`,
    );
  }
  return of(sets[0]!)!;
}
