import type { Command } from 'commander';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.ts';
import { note, print, printJson, table } from './output.ts';
import { UsageError } from './usage-error.ts';

interface TopicOptions extends ConnectionOptions {
  search?: string;
  days?: string;
  limit?: string;
}

/** A whole number from `min` to `max`, or a usage error naming the flag. */
function bounded(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`${flag}: "${raw}" must be a whole number from ${min} to ${max}`);
  return n;
}

/** `topics`: find topics by name, with their prefix, rows and people over the newest days. */
export function addTopicCommands(program: Command, env: CliEnvironment): void {
  withConnectionOptions(
    program
      .command('topics')
      .description('find topics by name: their id, prefix, rows and distinct people over the newest days')
      .option('--search <text>', 'text found in the topic name or id, any case (without it: every topic)')
      .option('--days <n>', 'newest days of the data to count over: 1-366 (default 7)')
      .option('--limit <n>', 'most topics to list, those with the most rows first: 1-1000 (default 50)'),
  )
    .addHelpText(
      'after',
      `
Prints one line per topic: id, name, prefix, rows and distinct people. Use the ids with
\`--topics\` (and their prefixes with \`--prefixes\`) of \`count\` and \`export\`.

Examples:
  $ audiences topics --search cloud --days 7
  $ audiences count --days 2024-05-01..2024-05-07 --prefixes 4eyes_101 --scores high \\
      --topics 4eyes_101_3,4eyes_101_7`,
    )
    .action(async (options: TopicOptions) => {
      const days = bounded('--days', options.days, 1, 366);
      const limit = bounded('--limit', options.limit, 1, 1000);
      const { client } = connect(options, env, 'task');
      const reply = await client.topics({
        ...(options.search === undefined ? {} : { q: options.search }),
        ...(days === undefined ? {} : { days }),
        ...(limit === undefined ? {} : { limit }),
      });
      if (options.json) return printJson(reply);
      const span = reply.days.length ? `${reply.days[0]}..${reply.days.at(-1)}` : 'no days';
      if (reply.topics.length === 0) return note(`no topic matches (${span})`);
      print(
        table(
          ['TOPIC_ID', 'NAME', 'PREFIX', 'ROWS', 'PEOPLE'],
          reply.topics.map((t) => [t.topic_id, t.topic_name, t.prefix, t.rows, t.people]),
          [3, 4],
        ),
      );
      note(`${reply.topics.length} of ${reply.total} topics, over ${span}`);
    });
}
