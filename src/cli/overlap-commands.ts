import type { Command } from 'commander';
import type { Overlap } from '../client/index.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.ts';
import { note, print, printJson, table } from './output.ts';
import { UsageError } from './usage-error.ts';

interface OverlapOptions extends ConnectionOptions {
  audiences?: boolean;
}

/** The most sets one overlap compares (the API's limit). */
const MAX_SETS = 10;

/** `overlap`: how tasks (or saved audiences) overlap, counted exactly by the server. */
export function addOverlapCommands(program: Command, env: CliEnvironment): void {
  withConnectionOptions(
    program
      .command('overlap')
      .description(
        'how 2 to 10 tasks (or saved audiences) overlap: sizes, intersections, Jaccard, Venn regions',
      )
      .argument('<ids...>', 'task ids (with --audiences: audience ids), 2 to 10')
      .option('--audiences', "the ids are saved audiences: compare each one's last completed run"),
  )
    .addHelpText(
      'after',
      `
The tasks must be counted or completed and share one unique_by (count them with --unique-by).
Prints each set's size (distinct unique_by values), every pair's intersection and Jaccard index
and, for 2 or 3 sets, the size of every region of the Venn diagram.

Example:
  $ audiences overlap 0f8fad5b-d9cb-469f-a165-70867728950e 7c9e6679-7425-40de-944b-e07fc1f90ae7
  $ audiences overlap AUDIENCE_ID AUDIENCE_ID AUDIENCE_ID --audiences --json`,
    )
    .action(async (ids: string[], options: OverlapOptions) => {
      if (ids.length < 2 || ids.length > MAX_SETS) {
        throw new UsageError(`overlap: give 2 to ${MAX_SETS} ids, not ${ids.length}`);
      }
      const { client } = connect(options, env, 'task');
      const reply = await client.overlap(ids, { audiences: options.audiences === true });
      if (options.json) return printJson(reply);
      printOverlap(reply);
    });
}

function printOverlap(reply: Overlap): void {
  print(
    table(
      ['SET', byAudience(reply) ? 'AUDIENCE' : 'TASK', 'NAME', 'SIZE'],
      reply.sets.map((s) => [s.key, s.audience_id ?? s.task_id, s.name ?? '', s.size]),
      [3],
    ),
    '',
    table(
      ['PAIR', 'BOTH', 'EITHER', 'JACCARD'],
      reply.pairs.map((p) => [`${p.a}∩${p.b}`, p.intersection, p.union, p.jaccard.toFixed(4)]),
      [1, 2, 3],
    ),
  );
  if (reply.regions) {
    const keys = reply.sets.map((s) => s.key);
    const label = (sets: string[]) => keys.map((k) => (sets.includes(k) ? k : `not ${k}`)).join(' and ');
    print(
      '',
      table(
        ['REGION', 'SIZE'],
        reply.regions.map((r) => [label(r.sets), r.size]),
        [1],
      ),
    );
  }
  const passes = reply.passes > 1 ? `, counted in ${reply.passes} hash passes` : '';
  note(`${reply.union} distinct ${reply.unique_by} values in all${passes}`);
}

function byAudience(reply: Overlap): boolean {
  return reply.sets.some((s) => s.audience_id !== null);
}
