import type { Sandbox } from '../../engine/duckdb-sandbox.ts';
import type { HashPass } from '../../engine/hash-passes.ts';
import { countPeople, peopleValuesSql } from '../../engine/people-queries.ts';
import { countIdentifiers } from '../../engine/profile-files.ts';
import { countDistinct } from '../../engine/slice-queries.ts';
import { zeroParts } from '../../engine/split-buckets.ts';
import { sizeOfObjects } from '../../storage/storage.ts';
import type { TaskRecord } from '../../store/store.ts';
import { peopleOf, profileOf, splitsOf, type TaskPlan } from '../../tasks/task-model.ts';
import { taskSlicesRoot } from '../../tasks/task-outputs.ts';
import type { ReducePart } from '../../tasks/unique-slices.ts';
import { bucketPasses, bucketPeopleQuery, withBucket } from './bucket-inputs.ts';
import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';
import { reduceDeltaBucket } from './sliced-delta.ts';
import { countParts } from './split-exports.ts';

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
 * distinct valid identifiers, and the values left out; a split export's, those of each part.
 */
async function countBucket(
  sandbox: Sandbox,
  files: readonly string[],
  plan: TaskPlan,
  passes: readonly HashPass[],
): Promise<Pick<ReducePart, 'unique' | 'invalid' | 'splitCounts'>> {
  if (!peopleOf(plan)) return { unique: await countDistinct(sandbox, files, plan.uniqueBy!) };
  const source = { files: [...files], hive: false };
  const profile = profileOf(plan) !== null;
  const splits = splitsOf(plan);
  const part: Required<Pick<ReducePart, 'unique' | 'invalid' | 'splitCounts'>> = {
    unique: 0,
    invalid: 0,
    splitCounts: splits ? zeroParts(splits) : {},
  };
  for (const pass of passes) {
    const query = bucketPeopleQuery(plan, pass);
    if (splits) {
      const counted = await countParts(sandbox, plan, splits, peopleValuesSql(source, query));
      for (const [name, n] of Object.entries(counted.counts)) part.splitCounts[name]! += n;
      part.unique += Object.values(counted.counts).reduce((sum, n) => sum + n, 0);
      part.invalid += counted.invalid ?? 0;
    } else if (profile) {
      const identifiers = await countIdentifiers(sandbox, peopleValuesSql(source, query));
      part.unique += identifiers.valid;
      part.invalid += identifiers.invalid;
    } else {
      part.unique += await countPeople(sandbox, source, query);
    }
  }
  return {
    unique: part.unique,
    ...(profile ? { invalid: part.invalid } : {}),
    ...(splits ? { splitCounts: part.splitCounts } : {}),
  };
}
