import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import { countPeople } from '../../engine/people-queries.ts';
import { countDistinct } from '../../engine/slice-queries.ts';
import type { TaskRecord } from '../../store/store.ts';
import { peopleQueryOf } from '../../tasks/people-query.ts';
import { peopleOf, type TaskPlan } from '../../tasks/task-model.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import { bucketKey, bucketOf, type ReducePart } from '../../tasks/unique-slices.ts';
import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * A `reduce` job: the distinct people of one hash bucket of a sliced count, across the files every
 * count job of the task wrote into that bucket (`tasks/unique-slices.ts`); for a people export, the
 * people its export will write of that bucket. Its DuckDB may read the task's slices folder
 * (`inputRoot`) and nothing else of the output.
 */
export class ReducePhase implements Phase {
  constructor(private readonly deps: PhaseDeps) {}

  engine(): 'count' {
    return 'count';
  }

  inputRoot(task: TaskRecord): string {
    return taskSlicesRoot(this.deps.storage, this.deps.outputPath, task);
  }

  async run(run: JobRun): Promise<PhaseResult> {
    const { storage } = this.deps;
    const bucket = bucketOf(run.job.partitions[0] ?? '');
    const folder = storage.join(this.inputRoot(run.task), bucketKey(bucket));
    const objects = await storage.list(folder, { recursive: true });
    const staged = await storage.stage(objects);
    try {
      run.lap('inputs');
      // The reduce jobs run beside each other as any jobs of a task do: this one takes one share.
      run.sharedBy(1);
      const engine = await run.engine!;
      const unique = await countBucket(engine.sandbox, staged.paths, run.plan);
      run.lap('count');
      const part: ReducePart = { kind: 'reduce', bucket, unique };
      const bytes = objects.reduce((sum, object) => sum + object.size, 0);
      return {
        settle: 'record',
        outcome: { counts: {}, files: [], partFigures: part },
        files: objects.length,
        volume: { rowsRead: 0, bytesRead: bytes, rowsWritten: 0, bytesWritten: 0 },
      };
    } finally {
      staged.release();
    }
  }
}

/** A bucket's distinct people; a people export's, once its per-person conditions have kept them. */
function countBucket(sandbox: Sandbox, files: readonly string[], plan: TaskPlan): Promise<number> {
  const people = peopleOf(plan);
  if (!people) return countDistinct(sandbox, files, plan.uniqueBy!);
  // The count jobs kept only the rows the filter keeps.
  const query = { ...peopleQueryOf(plan, people), whereSql: null };
  return countPeople(sandbox, { files: [...files], hive: false }, query);
}
