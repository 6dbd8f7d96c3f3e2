import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import { countPeople, peopleValuesSql } from '../../engine/people-queries.ts';
import { countIdentifiers } from '../../engine/profile-files.ts';
import { countDistinct } from '../../engine/slice-queries.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import type { TaskRecord } from '../../store/store.ts';
import { peopleOf, profileOf, type TaskPlan } from '../../tasks/task-model.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import type { ReducePart } from '../../tasks/unique-slices.ts';
import { bucketPasses, bucketPeopleQuery, withBucket } from './bucket-inputs.ts';
import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';
import { reduceDeltaBucket } from './sliced-delta.ts';

/**
 * A `reduce` job: the distinct people of one hash bucket of a sliced count, across the files every
 * count job of the task wrote into that bucket (`tasks/unique-slices.ts`); for a people export, the
 * people its export will write of that bucket; for a delta run, its members, kept and counted
 * against the base run's (`sliced-delta.ts`). Its DuckDB may read the task's slices folder
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

  run(run: JobRun): Promise<PhaseResult> {
    return withBucket(run, this.deps, async (inputs) => {
      const { bucket, objects, paths } = inputs;
      let part: ReducePart;
      if (run.plan.delta) {
        part = await reduceDeltaBucket(run, this.deps, inputs);
      } else {
        const { sandbox } = await run.engine!;
        const counted = await countBucket(sandbox, paths, run.plan, bucketPasses(objects, this.deps));
        run.lap('count');
        part = { kind: 'reduce', bucket, ...counted };
      }
      const bytes = sizeOfObjects(objects);
      return {
        settle: 'record',
        outcome: { counts: {}, files: [], partFigures: part },
        files: objects.length,
        volume: { rowsRead: 0, bytesRead: bytes, rowsWritten: 0, bytesWritten: 0 },
      };
    });
  }
}

/**
 * A bucket's distinct people (DuckDB's distinct count spills to disk); a people export's, once its
 * per-person conditions have kept them, folded in `passes` and added up; a profile export's, its
 * distinct valid identifiers, and the values left out.
 */
async function countBucket(
  sandbox: Sandbox,
  files: readonly string[],
  plan: TaskPlan,
  passes: readonly HashPass[],
): Promise<{ unique: number; invalid?: number }> {
  if (!peopleOf(plan)) return { unique: await countDistinct(sandbox, files, plan.uniqueBy!) };
  const source = { files: [...files], hive: false };
  const profile = profileOf(plan) !== null;
  let unique = 0;
  let invalid = 0;
  for (const pass of passes) {
    const query = bucketPeopleQuery(plan, pass);
    if (!profile) {
      unique += await countPeople(sandbox, source, query);
      continue;
    }
    const identifiers = await countIdentifiers(sandbox, peopleValuesSql(source, query));
    unique += identifiers.valid;
    invalid += identifiers.invalid;
  }
  return profile ? { unique, invalid } : { unique };
}
