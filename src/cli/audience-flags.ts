import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AudienceBody, GenericAudienceDefinition, IntentAudienceDefinition } from '../client/index.ts';
import { ACTIVATION_PROFILES, type ActivationProfileName } from '../contract/activation-profiles.ts';
import type { ConnectionOptions } from './connection.ts';
import { parseDays, parseList } from './day-list.ts';
import { SPLIT_HELP, SPLIT_SALT_HELP, type SplitOptions, splitFields } from './split-flags.ts';
import { UsageError } from './usage-error.ts';

/** The flags of `audience create`: the names `count`, `export` and `generic` use, and the audience's own. */
export interface AudienceFlags extends ConnectionOptions, SplitOptions {
  name: string;
  description?: string;
  kind: 'intent' | 'generic';
  days?: string;
  lastDays?: number;
  until?: 'latest' | 'yesterday' | 'today';
  prefixes?: string;
  scores?: string;
  input?: string;
  where?: string;
  select?: string;
  uniqueBy?: string;
  people?: boolean;
  format?: 'parquet' | 'csv' | 'jsonl';
  platform?: ActivationProfileName;
  every?: string;
  cron?: string;
  timezone?: string;
  delta?: boolean;
  deliveryPath?: string;
}

const SCORES = ['low', 'medium', 'high'];

function windowDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new InvalidArgumentError('must be 1 to 366 days');
  return n;
}

/** Adds the flags of `audience create` in the order `--help` lists them. */
export function withAudienceFlags(command: Command): Command {
  return command
    .requiredOption('--name <name>', 'unique in your organisation, e.g. "High intent: Cloud Security"')
    .option('--description <text>', 'what the audience is for')
    .addOption(
      new Option('--kind <kind>', 'intent data or any Parquet tree')
        .choices(['intent', 'generic'])
        .default('intent'),
    )
    .option('--last-days <n>', 'intent: a rolling window of N calendar days, ending at --until', windowDays)
    .addOption(
      new Option(
        '--until <end>',
        "the window's last day: the newest day of the data, or yesterday or today in --timezone",
      ).choices(['latest', 'yesterday', 'today']),
    )
    .option('--days <days>', 'intent: fixed days instead of a window, as `count --days` takes them')
    .option('--prefixes <list>', 'intent: comma-separated topic id prefixes, e.g. 4eyes_101,4eyes_102')
    .option('--scores <list>', 'intent: comma-separated intent scores: low, medium, high')
    .option(
      '--input <path>',
      'generic: the tree, s3://bucket/prefix, gs://bucket/prefix or a local path the server allows',
    )
    .option('--where <expr>', 'SQL filter on the rows, e.g. "intent_score >= 60"')
    .option('--select <cols>', 'comma-separated columns to export')
    .option('--unique-by <col>', 'the column that makes a member, e.g. person_id')
    .option('--people', 'export one row per member (--unique-by) instead of the rows')
    .addOption(
      new Option('--format <format>', 'file format of each run (default parquet)').choices([
        'parquet',
        'csv',
        'jsonl',
      ]),
    )
    .addOption(
      new Option(
        '--platform <name>',
        "with --people: each run writes an ad platform's upload file, members being hashed e-mails",
      ).choices(ACTIVATION_PROFILES),
    )
    .option('--split <parts>', `with --people: ${SPLIT_HELP}; every run keeps the same parts`)
    .option('--split-salt <text>', SPLIT_SALT_HELP)
    .option(
      '--every <duration>',
      'run on an interval: 15m, 1h, 24h, 7d (without --every or --cron: only when asked)',
    )
    .option('--cron <expr>', 'run on a cron schedule, five fields: "0 6 * * 1-5"')
    .option(
      '--timezone <zone>',
      "IANA time zone of the cron, --until and the delivery's {date} (default UTC)",
    )
    .option('--delta', 'each run delivers who joined (added) and who left (removed); needs --people')
    .option(
      '--delivery-path <path>',
      "where each run's files go, with {audience}, {date} and {run_id}, e.g. audiences/{audience}/{date}/{run_id}",
    );
}

/**
 * The body `audience create` sends. Refuses here what is a wrong combination of flags (exit 2,
 * naming the flags); what only the API can judge (a filter, an interval below the server's
 * minimum, a time zone) it leaves to the API's 400.
 */
export function audienceBody(flags: AudienceFlags): AudienceBody {
  if (flags.every !== undefined && flags.cron !== undefined) {
    throw new UsageError('--every and --cron: give one schedule, an interval or a cron expression');
  }
  if (flags.delta && !flags.people) {
    throw new UsageError('--delta delivers members: add --people and --unique-by COLUMN');
  }
  if (flags.platform !== undefined && !flags.people) {
    throw new UsageError('--platform writes members: add --people');
  }
  if (flags.split !== undefined && !flags.people) {
    throw new UsageError('--split divides members: add --people');
  }
  const schedule =
    flags.every !== undefined
      ? { every: flags.every }
      : flags.cron !== undefined
        ? { cron: flags.cron }
        : undefined;
  const delivery = {
    ...(flags.delta ? { mode: 'delta' as const } : {}),
    ...(flags.deliveryPath !== undefined ? { path: flags.deliveryPath } : {}),
  };
  const kindOf = flags.kind === 'intent' ? intentFields(flags) : genericFields(flags);
  return {
    name: flags.name,
    kind: flags.kind,
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...kindOf,
    ...(flags.timezone !== undefined ? { timezone: flags.timezone } : {}),
    ...(schedule ? { schedule } : {}),
    ...(Object.keys(delivery).length > 0 ? { delivery } : {}),
  };
}

function intentFields(flags: AudienceFlags): Pick<AudienceBody, 'definition' | 'window'> {
  if (flags.input !== undefined)
    throw new UsageError('--input is for --kind generic; an intent audience reads the intent data');
  if (flags.days !== undefined && flags.lastDays !== undefined) {
    throw new UsageError('--days and --last-days: give fixed days or a rolling window, not both');
  }
  if (flags.days === undefined && flags.lastDays === undefined) {
    throw new UsageError('give the days: --last-days N (a rolling window) or --days 2024-05-01..2024-05-07');
  }
  if (flags.until !== undefined && flags.lastDays === undefined) {
    throw new UsageError('--until ends a rolling window: add --last-days N');
  }
  if (flags.prefixes === undefined || flags.scores === undefined) {
    throw new UsageError('an intent audience needs --prefixes and --scores, as `count` does');
  }
  const scores = parseList('--scores', flags.scores);
  const wrong = scores.find((score) => !SCORES.includes(score));
  if (wrong) throw new UsageError(`--scores: "${wrong}" is not a score; use low, medium or high`);
  const definition: IntentAudienceDefinition = {
    ...(flags.days !== undefined ? { days: parseDays(flags.days) } : {}),
    topic_id_prefixes: parseList('--prefixes', flags.prefixes),
    scores,
    ...expression(flags),
  };
  if (flags.lastDays === undefined) return { definition };
  return {
    definition,
    window: { last_days: flags.lastDays, ...(flags.until ? { until: flags.until } : {}) },
  };
}

function genericFields(flags: AudienceFlags): Pick<AudienceBody, 'definition'> {
  const intentOnly = (['days', 'lastDays', 'until', 'prefixes', 'scores'] as const).filter(
    (key) => flags[key] !== undefined,
  );
  if (intentOnly.length > 0) {
    const names = intentOnly.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(`${names.join(', ')}: for --kind intent only; a generic audience reads --input`);
  }
  if (flags.input === undefined)
    throw new UsageError('a generic audience needs --input PATH, as `generic count` does');
  const definition: GenericAudienceDefinition = { input_path: flags.input, ...expression(flags) };
  return { definition };
}

/** What both kinds share: the filter, the columns, members, and the file format. */
function expression(flags: AudienceFlags) {
  return {
    ...(flags.where !== undefined ? { where_expr: flags.where } : {}),
    ...(flags.select !== undefined ? { select: flags.select } : {}),
    ...(flags.uniqueBy !== undefined ? { unique_by: flags.uniqueBy } : {}),
    ...(flags.people ? { output: 'people' as const } : {}),
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.platform !== undefined ? { profile: flags.platform } : {}),
    ...splitFields(flags),
  };
}
