import { type Command, InvalidArgumentError, Option } from 'commander';
import type { TaskDetail, TaskPage } from '../client/index.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, connect, withConnectionOptions } from './connection.ts';
import { note, print, printJson, table } from './output.ts';
import {
  downloadWithProgress,
  nameOf,
  printDownloads,
  printTask,
  reportEnded,
  targetOf,
  waitWithProgress,
} from './task-runs.ts';
import { UsageError } from './usage-error.ts';

function pageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError('must be an integer from 1 to 100');
  return n;
}

interface TaskListOptions extends ConnectionOptions {
  limit: number;
  cursor?: string;
  search?: string;
  all?: boolean;
}

/** The task a wait ended on: its detail (`--json`: as the API answers it), or why it ended. */
function printWaited({ task, ended }: { task: TaskDetail; ended: boolean }, json: boolean | undefined): void {
  if (ended) reportEnded(task, json);
  else if (json) printJson(task);
  else printTask(task);
}

/** `tasks list|show|wait|unload|cancel|download`. */
export function addTasksCommands(program: Command, env: CliEnvironment): void {
  const tasks = program
    .command('tasks')
    .description("your organisation's tasks: list, show, wait, unload, cancel, download");
  addListCommand(tasks, env);
  addShowCommand(tasks, env);
  addWaitCommand(tasks, env);
  addUnloadCommand(tasks, env);
  addCancelCommand(tasks, env);
  addDownloadCommand(tasks, env);
}

/** `tasks list`. */
function addListCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(
    tasks
      .command('list')
      .description('list tasks, newest first')
      .option('--limit <n>', 'tasks per page, 1-100', pageSize, 20)
      .option('--cursor <cursor>', 'next_cursor of the previous page')
      .option(
        '--search <text>',
        'only tasks whose name contains TEXT, in any letter case (or whose id starts with it)',
      )
      .option('--all', 'every task, following every page'),
  )
    .addHelpText(
      'after',
      `
--json prints the API's page ({tasks, next_cursor}); with --all, every task in one page.

Example:
  $ audiences tasks list --limit 10
  $ audiences tasks list --search "cloud security" --all`,
    )
    .action(async (options: TaskListOptions) => {
      const { client } = connect(options, env, 'task');
      const q = options.search === undefined ? {} : { q: options.search };
      let page: TaskPage;
      if (options.all) {
        const all = [];
        for await (const task of client.tasks({ limit: options.limit, ...q })) all.push(task);
        page = { tasks: all, next_cursor: null };
      } else {
        page = await client.listTasks({
          limit: options.limit,
          ...(options.cursor ? { cursor: options.cursor } : {}),
          ...q,
        });
      }
      if (options.json) return printJson(page);
      const rows = page.tasks.map((task) => [
        task.task_id,
        nameOf(task),
        task.type,
        task.status,
        `${task.completed_jobs}/${task.total_jobs}`,
        task.total_count === null ? '-' : task.total_count,
        task.created_at,
      ]);
      print(table(['TASK', 'NAME', 'TYPE', 'STATUS', 'JOBS', 'TOTAL', 'CREATED'], rows, [4, 5]));
      const search = options.search === undefined ? '' : ` --search ${JSON.stringify(options.search)}`;
      if (page.next_cursor) note(`more: audiences tasks list${search} --cursor ${page.next_cursor}`);
      else if (page.tasks.length === 0 && options.search !== undefined) {
        note(`no task's name contains ${JSON.stringify(options.search)}`);
      }
    });
}

/** `tasks show`. */
function addShowCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(tasks.command('show').argument('<id>', 'task id').description('show a task'))
    .addHelpText(
      'after',
      `
Prints the task's status, progress, counts per partition and download links; --json prints the
task detail as the API answers it.

Example:
  $ audiences tasks show 8512437c-5d0e-4c8f-9a51-3f0e6c2f1a10`,
    )
    .action(async (id: string, options: ConnectionOptions) => {
      const { client } = connect(options, env, 'task');
      const task = await client.getTask(id);
      if (options.json) return printJson(task);
      printTask(task);
    });
}

/** `tasks wait`. */
function addWaitCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(
    tasks
      .command('wait')
      .argument('<id>', 'task id')
      .description('wait for a task to be counted or completed, with a progress bar')
      .addOption(
        new Option(
          '--until <status>',
          'status to wait for (default: counted for a count-only task, else completed)',
        ).choices(['counted', 'completed']),
      ),
  )
    .addHelpText(
      'after',
      `
Exits 0 when the task gets there, 1 when it fails or is cancelled (the task detail is still printed).

Example:
  $ audiences tasks wait 8512437c-5d0e-4c8f-9a51-3f0e6c2f1a10 --until completed`,
    )
    .action(async (id: string, options: ConnectionOptions & { until?: 'counted' | 'completed' }) => {
      const { client } = connect(options, env, 'task');
      const until = options.until ?? targetOf(await client.getTask(id));
      printWaited(await waitWithProgress(client, id, until, 'waiting'), options.json);
    });
}

/** `tasks unload`. */
function addUnloadCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(
    tasks
      .command('unload')
      .argument('<id>', 'task id')
      .description('export a counted task')
      .option('--wait', 'wait for the export to complete, with a progress bar'),
  )
    .addHelpText(
      'after',
      `
Example:
  $ audiences tasks unload 8512437c-5d0e-4c8f-9a51-3f0e6c2f1a10 --wait`,
    )
    .action(async (id: string, options: ConnectionOptions & { wait?: boolean }) => {
      const { client } = connect(options, env, 'task');
      const answer = await client.unload(id);
      if (!options.wait) {
        if (options.json) return printJson(answer);
        return print(`task ${answer.task_id}: ${answer.status}`);
      }
      printWaited(await waitWithProgress(client, id, 'completed', 'exporting'), options.json);
    });
}

/** `tasks cancel`. */
function addCancelCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(tasks.command('cancel').argument('<id>', 'task id').description('cancel a task'))
    .addHelpText(
      'after',
      `
Stops a task that is in progress, counted or unloading; it becomes "cancelled".

Example:
  $ audiences tasks cancel 8512437c-5d0e-4c8f-9a51-3f0e6c2f1a10`,
    )
    .action(async (id: string, options: ConnectionOptions) => {
      const { client } = connect(options, env, 'task');
      const answer = await client.cancel(id);
      if (options.json) return printJson(answer);
      print(`task ${answer.task_id}: ${answer.status}`);
    });
}

/** `tasks download`. */
function addDownloadCommand(tasks: Command, env: CliEnvironment): void {
  withConnectionOptions(
    tasks
      .command('download')
      .argument('<id>', 'task id')
      .description("download an exported task's files")
      .requiredOption('--out <dir>', 'folder to download into: DIR/<partition>/<file>'),
  )
    .addHelpText(
      'after',
      `
Waits for an export still running, then downloads every file with a byte progress bar (on a
terminal), checking each file's size. A counted task must be unloaded first.

Example:
  $ audiences tasks download 8512437c-5d0e-4c8f-9a51-3f0e6c2f1a10 --out ./segment`,
    )
    .action(async (id: string, options: ConnectionOptions & { out: string }) => {
      const { client } = connect(options, env, 'task');
      let task = await client.getTask(id);
      if (task.status === 'counted') {
        throw new UsageError(
          `task ${id} is counted, not exported: run \`audiences tasks unload ${id}\` first`,
        );
      }
      if (task.status !== 'completed') {
        const waited = await waitWithProgress(client, id, 'completed', 'exporting');
        if (waited.ended) return reportEnded(waited.task, options.json);
        task = waited.task;
      }
      const downloaded = await downloadWithProgress(client, task, options.out);
      if (options.json) return printJson({ ...task, downloaded });
      printDownloads(downloaded);
    });
}
