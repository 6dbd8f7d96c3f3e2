import { type Command, Option } from 'commander';
import type { AudiencesClient, GenericTaskBody, IntentTaskBody, TaskDetail } from '../client/index.ts';
import { ACTIVATION_PROFILES, type ActivationProfileName } from '../contract/activation-profiles.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.ts';
import { parseDays, parseList } from './day-list.ts';
import { note, print, printJson } from './output.ts';
import { SPLIT_HELP, SPLIT_SALT_HELP, type SplitOptions, splitFields } from './split-flags.ts';
import {
  downloadWithProgress,
  printCounts,
  printDownloads,
  reportEnded,
  waitWithProgress,
} from './task-runs.ts';
import { UsageError } from './usage-error.ts';

const SCORES = ['low', 'medium', 'high'];
const FORMATS = ['parquet', 'csv', 'jsonl'];

interface FilterOptions extends ConnectionOptions {
  name?: string;
  where?: string;
  select?: string;
  uniqueBy?: string;
}

interface IntentOptions extends FilterOptions {
  days: string;
  prefixes: string;
  scores: string;
  topics?: string;
}

interface ExportOptions extends SplitOptions {
  out?: string;
  format?: 'parquet' | 'csv' | 'jsonl';
  platform?: ActivationProfileName;
}

function withFilterOptions(command: Command): Command {
  return command
    .option('--name <name>', 'a name for the task, shown by `tasks list` and found by `tasks list --search`')
    .option(
      '--where <expr>',
      "SQL filter on the rows, e.g. \"intent_score >= 60 AND country IN ('US', 'GB')\"",
    )
    .option('--select <cols>', 'comma-separated columns to export, e.g. person_id,hem_sha256,topic_id')
    .option('--unique-by <col>', 'also count the distinct values of this column exactly, e.g. person_id');
}

function withIntentOptions(command: Command): Command {
  return withFilterOptions(
    command
      .requiredOption(
        '--days <days>',
        'days: a comma list of YYYY-MM-DD or YYYYMMDD days and inclusive ranges A..B, e.g. 2024-05-01..2024-05-07,20240510',
      )
      .requiredOption('--prefixes <list>', 'comma-separated topic id prefixes, e.g. 4eyes_101,4eyes_102')
      .requiredOption('--scores <list>', 'comma-separated intent scores: low, medium, high')
      .option(
        '--topics <ids>',
        'comma-separated topic ids of those prefixes (`audiences topics --search` finds them), e.g. 4eyes_101_3',
      ),
  );
}

function withInputOption(command: Command): Command {
  return command.requiredOption(
    '--input <path>',
    'the tree: s3://bucket/prefix, gs://bucket/prefix or a local path the server allows',
  );
}

function withExportOptions(command: Command): Command {
  return command
    .option('--out <dir>', 'download every exported file into DIR/<partition>/ (without it: print the links)')
    .addOption(
      new Option('--format <format>', 'file format of the export (default parquet)').choices(FORMATS),
    )
    .addOption(
      new Option(
        '--platform <name>',
        "export the people as an ad platform's upload file (one row per hashed e-mail; sets the format)",
      ).choices(ACTIVATION_PROFILES),
    )
    .option('--split <parts>', `${SPLIT_HELP} (needs --unique-by or --platform)`)
    .option('--split-salt <text>', SPLIT_SALT_HELP);
}

/**
 * The file format, the platform profile (a people export: its people are its hashed e-mails), and
 * the parts the people are split into.
 */
function exportFields(options: ExportOptions) {
  return {
    ...(options.format ? { format: options.format } : {}),
    ...(options.platform ? { output: 'people' as const, profile: options.platform } : {}),
    ...splitFields(options),
  };
}

function filters(options: FilterOptions) {
  return {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.where ? { where_expr: options.where } : {}),
    ...(options.select ? { select: options.select } : {}),
    ...(options.uniqueBy ? { unique_by: options.uniqueBy } : {}),
  };
}

function intentBody(options: IntentOptions): IntentTaskBody {
  const scores = parseList('--scores', options.scores);
  const wrong = scores.find((score) => !SCORES.includes(score));
  if (wrong) throw new UsageError(`--scores: "${wrong}" is not a score; use low, medium or high`);
  return {
    days: parseDays(options.days),
    topic_id_prefixes: parseList('--prefixes', options.prefixes),
    scores,
    ...(options.topics === undefined ? {} : { topic_ids: parseList('--topics', options.topics) }),
    ...filters(options),
  };
}

type Create = (client: AudiencesClient) => Promise<{ task_id: string }>;

/** Creates a count-only task, waits for it, prints its counts (or its detail with --json). */
async function runCount(options: ConnectionOptions, env: CliEnvironment, create: Create): Promise<void> {
  const { client } = connect(options, env, 'task');
  const created = await create(client);
  if (!options.json) note(`task ${created.task_id}: counting`);
  const { task, ended } = await waitWithProgress(client, created.task_id, 'counted', 'counting');
  if (ended) return reportEnded(task, options.json);
  if (options.json) return printJson(task);
  printCounts(task);
  note(
    `task ${task.task_id} counted; export it with: audiences tasks unload ${task.task_id} && audiences tasks download ${task.task_id} --out DIR`,
  );
}

/** Creates an exporting task, waits for it, then downloads its files into --out or prints their links. */
async function runExport(
  options: ConnectionOptions & ExportOptions,
  env: CliEnvironment,
  create: Create,
): Promise<void> {
  const { client } = connect(options, env, 'task');
  const created = await create(client);
  if (!options.json) note(`task ${created.task_id}: exporting`);
  const { task, ended } = await waitWithProgress(client, created.task_id, 'completed', 'exporting');
  if (ended) return reportEnded(task, options.json);
  if (!options.out) {
    if (options.json) return printJson(task);
    print(...task.output_links);
    note(`task ${task.task_id} completed: ${task.total_count ?? 0} rows in ${task.files.length} files`);
    noteSplits(task);
    return;
  }
  const downloaded = await downloadWithProgress(client, task, options.out);
  if (options.json) return printJson({ ...task, downloaded });
  printDownloads(downloaded);
  noteSplits(task);
}

/** A split export's parts, their people and the salt that made them (to make the same split again). */
function noteSplits(task: TaskDetail): void {
  const counts = task.split_counts;
  if (!counts) return;
  const parts = Object.entries(counts).map(([name, n]) => `${name} ${n}`);
  const salt = (task.request as { split_salt?: string | null }).split_salt;
  note(`parts: ${parts.join(', ')} (salt ${salt}; holdouts are kept by the service, not exported)`);
}

/**
 * `count`, `export` and `generic count|export`.
 * (Each command is one commander chain of options, help and an action: the function is long because
 * it declares two or three of them in the order `--help` lists them.)
 */
export function addSegmentCommands(program: Command, env: CliEnvironment): void {
  withConnectionOptions(
    withIntentOptions(
      program
        .command('count')
        .description(
          'count an intent segment (a task with perform_unload: false) and print rows per partition',
        ),
    ),
  )
    .addHelpText(
      'after',
      `
Waits for the count with a progress bar (on a terminal), then prints one line per partition
(day=/prefix=/score=) with its rows, and the total. Export it later with \`audiences tasks unload ID\`.

Example:
  $ audiences count --days 2024-05-01..2024-05-07 --prefixes 4eyes_101,4eyes_102 --scores high,medium \\
      --where "intent_score >= 60" --unique-by person_id --name "Cloud security, May"`,
    )
    .action(async (options: IntentOptions) => {
      const body = { ...intentBody(options), perform_unload: false };
      await runCount(options, env, (client) => client.createIntentTask(body));
    });

  withConnectionOptions(
    withExportOptions(
      withIntentOptions(
        program
          .command('export')
          .description('export an intent segment and download its files (or print their links)'),
      ),
    ),
  )
    .addHelpText(
      'after',
      `
Waits for the export with a progress bar (on a terminal). With --out, downloads every file into
DIR/<partition>/ with a byte progress bar, checking each file's size; without it, prints one
signed download link per file.

With --platform, writes the segment's people as the platform's upload file (Google Customer Match,
Meta, LinkedIn, UID2, LiveRamp): one row per valid hem_sha256, encoded and split as it takes them.

With --split, writes the people in parts chosen at random, each in DIR/split=NAME/ (a holdout
part is counted and kept by the service, never exported); the task shows split_counts and the salt.

Examples:
  $ audiences export --days 2024-05-01,20240502 --prefixes 4eyes_101 --scores high \\
      --select person_id,hem_sha256,topic_id --format parquet --out ./segment
  $ audiences export --days 2024-05-01..2024-05-07 --prefixes 4eyes_101 --scores high \\
      --platform google_customer_match --out ./customer-match
  $ audiences export --days 2024-05-01..2024-05-07 --prefixes 4eyes_101 --scores high \\
      --platform meta_custom_audience --split A:45,B:45,control:10:holdout --out ./ab-test`,
    )
    .action(async (options: IntentOptions & ExportOptions) => {
      const body = { ...intentBody(options), ...exportFields(options) };
      await runExport(options, env, (client) => client.createIntentTask(body));
    });

  const generic = program
    .command('generic')
    .description('count or export any Parquet tree (generic tasks): generic count|export --input PATH');
  const genericBody = (options: FilterOptions & { input: string }): GenericTaskBody => ({
    input_path: options.input,
    ...filters(options),
  });
  withConnectionOptions(
    withFilterOptions(
      withInputOption(
        generic.command('count').description('count the rows of a Parquet tree, per folder (partition)'),
      ),
    ),
  )
    .addHelpText(
      'after',
      `
Example:
  $ audiences generic count --input s3://my-bucket/events/ --where "country = 'US'" --unique-by person_id`,
    )
    .action(async (options: FilterOptions & { input: string }) => {
      const body = { ...genericBody(options), perform_unload: false };
      await runCount(options, env, (client) => client.createGenericTask(body));
    });
  withConnectionOptions(
    withExportOptions(
      withFilterOptions(
        withInputOption(
          generic
            .command('export')
            .description('export the rows of a Parquet tree and download its files (or print their links)'),
        ),
      ),
    ).option(
      '--identifier <col>',
      'with --platform: the text column holding the hex SHA-256 of each e-mail (default hem_sha256)',
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ audiences generic export --input s3://my-bucket/events/ --select person_id,country --format csv --out ./events
  $ audiences generic export --input s3://my-bucket/crm/ --platform uid2 --identifier email_sha256 --out ./uid2`,
    )
    .action(async (options: FilterOptions & ExportOptions & { input: string; identifier?: string }) => {
      const body = {
        ...genericBody(options),
        ...exportFields(options),
        ...(options.identifier !== undefined ? { identifier: options.identifier } : {}),
      };
      await runExport(options, env, (client) => client.createGenericTask(body));
    });
}
