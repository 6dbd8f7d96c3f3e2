import { type Command, InvalidArgumentError } from 'commander';
import { type AudienceRun, type AudiencesClient, RunEndedError } from '../client/index.ts';
import { type AudienceFlags, audienceBody, withAudienceFlags } from './audience-flags.ts';
import { printAudience, printAudienceList, printRun, printRuns } from './audience-output.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.ts';
import { EXIT } from './exit-codes.ts';
import { note, print, printJson } from './output.ts';
import { taskProgress } from './progress-bars.ts';

const ID = 'audience id (from `audiences audience list`)';

type PageFlags = ConnectionOptions & { limit: number; cursor?: string; all?: boolean };

function pageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new InvalidArgumentError('must be an integer from 1 to 100');
  }
  return n;
}

function withPageFlags(command: Command, items: string): Command {
  return command
    .option('--limit <n>', `${items} per page, 1-100`, pageSize, 20)
    .option('--cursor <cursor>', 'next_cursor of the previous page')
    .option('--all', `every ${items.replace(/s$/, '')}, following every page`);
}

/** `audience create|list|show|run|runs|pause|resume|resync|delete`. */
export function addAudienceCommands(program: Command, env: CliEnvironment): void {
  const audience = program
    .command('audience')
    .description('saved audiences: a segment with a rolling window, a schedule and a delivery');
  addCreateCommand(audience, env);
  addListCommand(audience, env);
  addShowCommand(audience, env);
  addRunCommand(audience, env);
  addRunsCommand(audience, env);
  addPauseCommands(audience, env);
  addResyncCommand(audience, env);
  addDeleteCommand(audience, env);
}

/** `audience create`. */
function addCreateCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(withAudienceFlags(audience.command('create').description('save an audience')))
    .addHelpText(
      'after',
      `
Checked as a task is when saved: a bad filter or schedule is refused now (exit 3, naming the
field), not when a scheduled run starts. Without --every or --cron it runs only when asked.

Examples:
  $ audiences audience create --name "High intent: Cloud Security" --last-days 7 \\
      --prefixes 4eyes_101,4eyes_102 --scores high,medium --where "intent_score >= 60" \\
      --unique-by person_id --people --delta --every 24h \\
      --delivery-path "audiences/{audience}/{date}/{run_id}"
  $ audiences audience create --name "Weekday US" --kind generic --input s3://my-bucket/events/ \\
      --where "country = 'US'" --cron "0 6 * * 1-5" --timezone Europe/Berlin`,
    )
    .action(async (flags: AudienceFlags) => {
      const body = audienceBody(flags);
      const { client } = connect(flags, env, 'task');
      const created = await client.createAudience(body);
      if (flags.json) return printJson(created);
      printAudience(created);
      note(`saved; run it now with: audiences audience run ${created.audience_id} --wait`);
    });
}

/** `audience list`. */
function addListCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    withPageFlags(audience.command('list').description('list audiences, newest first'), 'audiences'),
  )
    .addHelpText(
      'after',
      `
--json prints the API's page ({audiences, next_cursor}); with --all, every audience in one page.

Example:
  $ audiences audience list --all`,
    )
    .action(async (options: PageFlags) => {
      const { client } = connect(options, env, 'task');
      const page = options.all
        ? { audiences: await collect(client.audiences({ limit: options.limit })), next_cursor: null }
        : await client.listAudiences({ limit: options.limit, cursor: options.cursor });
      if (options.json) return printJson(page);
      printAudienceList(page.audiences);
      if (page.next_cursor) note(`more: audiences audience list --cursor ${page.next_cursor}`);
    });
}

/** `audience show`. */
function addShowCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(audience.command('show').argument('<id>', ID).description('show an audience'))
    .addHelpText(
      'after',
      `
Prints its definition, window and the days its next run reads, schedule, delivery, next and last
run, and its size over recent runs; --json prints the audience as the API answers it.

Example:
  $ audiences audience show 3f0e6c2f-1a10-4c8f-9a51-8512437c5d0e`,
    )
    .action(async (id: string, options: ConnectionOptions) => {
      const { client } = connect(options, env, 'task');
      const detail = await client.getAudience(id);
      if (options.json) return printJson(detail);
      printAudience(detail);
    });
}

/** `audience run`. */
function addRunCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    audience
      .command('run')
      .argument('<id>', ID)
      .description('run an audience now')
      .option('--wait', 'wait for the run, with a progress bar, and print who was added, removed and kept'),
  )
    .addHelpText(
      'after',
      `
A run is an ordinary task (audiences tasks show|cancel TASK). With --wait, exits 0 when it
completes and 1 when it fails or is cancelled; --json prints the run as \`audience runs\` shows it.

Example:
  $ audiences audience run 3f0e6c2f-1a10-4c8f-9a51-8512437c5d0e --wait`,
    )
    .action(async (id: string, options: ConnectionOptions & { wait?: boolean }) => {
      const { client } = connect(options, env, 'task');
      const started = await client.runAudience(id);
      if (!options.wait) {
        if (options.json) return printJson(started);
        print(`run ${started.run_id} started: task ${started.task_id}`);
        note(`see it with: audiences audience runs ${id}`);
        return;
      }
      const { run, ended } = await waitWithProgress(client, id, started.run_id);
      if (options.json) printJson(run);
      else printRun(run);
      if (ended) {
        note(`error: run ${run.run_id} ${run.status}${run.reason ? `: ${run.reason}` : ''}`);
        process.exitCode = EXIT.taskEnded;
      }
    });
}

/** Waits for a run with the API's long polling, a progress bar on a terminal; `ended`: it failed or was cancelled. */
async function waitWithProgress(
  client: AudiencesClient,
  audienceId: string,
  runId: string,
): Promise<{ run: AudienceRun; ended: boolean }> {
  const display = taskProgress('running');
  try {
    const run = await client.waitForRun(audienceId, runId, {
      onProgress: (report) => display.update(report),
    });
    return { run, ended: false };
  } catch (error) {
    if (error instanceof RunEndedError) return { run: error.run, ended: true };
    throw error;
  } finally {
    display.stop();
  }
}

/** `audience runs`. */
function addRunsCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    withPageFlags(
      audience
        .command('runs')
        .argument('<id>', ID)
        .description("list an audience's runs and skipped slots, newest first"),
      'runs',
    ),
  )
    .addHelpText(
      'after',
      `
PEOPLE are the members a run found; ADDED, REMOVED and KEPT compare them with the previous
completed run (delta audiences). --json prints the API's page ({runs, next_cursor}).

Example:
  $ audiences audience runs 3f0e6c2f-1a10-4c8f-9a51-8512437c5d0e --limit 5`,
    )
    .action(async (id: string, options: PageFlags) => {
      const { client } = connect(options, env, 'task');
      const page = options.all
        ? { runs: await collect(client.audienceRuns(id, { limit: options.limit })), next_cursor: null }
        : await client.listAudienceRuns(id, { limit: options.limit, cursor: options.cursor });
      if (options.json) return printJson(page);
      printRuns(page.runs);
      if (page.next_cursor) note(`more: audiences audience runs ${id} --cursor ${page.next_cursor}`);
    });
}

/** `audience pause` and `audience resume`. */
function addPauseCommands(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    audience.command('pause').argument('<id>', ID).description("stop an audience's schedule, keeping it"),
  ).action(async (id: string, options: ConnectionOptions) => {
    const { client } = connect(options, env, 'task');
    const paused = await client.pauseAudience(id);
    if (options.json) return printJson(paused);
    print(`audience ${paused.name} paused; resume it with: audiences audience resume ${id}`);
  });
  withConnectionOptions(
    audience.command('resume').argument('<id>', ID).description("start a paused audience's schedule again"),
  ).action(async (id: string, options: ConnectionOptions) => {
    const { client } = connect(options, env, 'task');
    const resumed = await client.resumeAudience(id);
    if (options.json) return printJson(resumed);
    const next = resumed.next_run_at ? `next run ${resumed.next_run_at}` : 'no schedule: it runs when asked';
    print(`audience ${resumed.name} resumed; ${next}`);
  });
}

/** `audience resync`. */
function addResyncCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    audience
      .command('resync')
      .argument('<id>', ID)
      .description('make the next delta run a baseline: every member delivered as added'),
  ).action(async (id: string, options: ConnectionOptions) => {
    const { client } = connect(options, env, 'task');
    const resynced = await client.resyncAudience(id);
    if (options.json) return printJson(resynced);
    print(`the next run of ${resynced.name} delivers every member as added`);
  });
}

/** `audience delete`. */
function addDeleteCommand(audience: Command, env: CliEnvironment): void {
  withConnectionOptions(
    audience
      .command('delete')
      .argument('<id>', ID)
      .description(
        'delete an audience: its schedule stops; finished runs keep their files until they expire',
      ),
  ).action(async (id: string, options: ConnectionOptions) => {
    const { client } = connect(options, env, 'task');
    await client.deleteAudience(id);
    if (options.json) return printJson({ audience_id: id, deleted: true });
    print(`audience ${id} deleted`);
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
