import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * A `list` job: lists the whole input of a generic task too large to list while its client waited,
 * and hands back the jobs planned from it, which take its place.
 */
export class ListPhase implements Phase {
  constructor(private readonly deps: PhaseDeps) {}

  engine(): undefined {
    return undefined;
  }

  async run({ task, plan }: JobRun): Promise<PhaseResult> {
    const files = await this.deps.storage.list(plan.inputRoot, { recursive: true });
    return { settle: 'expand', jobs: this.deps.listPlanner(task, files), files: files.length };
  }
}
