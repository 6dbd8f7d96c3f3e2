import { countDistinct } from '../../engine/slice-queries.ts';
import type { TaskRecord } from '../../store/store.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import { bucketKey, bucketOf, type ReducePart } from '../../tasks/unique-slices.ts';
import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * A `reduce` job: the distinct people of one hash bucket of a sliced unique count, across the files
 * every count job of the task wrote into that bucket (`tasks/unique-slices.ts`). Its DuckDB may
 * read the task's slices folder (`inputRoot`) and nothing else of the output.
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
      const unique = await countDistinct(engine.sandbox, staged.paths, run.plan.uniqueBy!);
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
