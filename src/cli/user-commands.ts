import type { Command } from 'commander';
import { addAccountCommands } from './account-commands.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { addOverlapCommands } from './overlap-commands.ts';
import { addSegmentCommands } from './segment-commands.ts';
import { addTasksCommands } from './tasks-commands.ts';
import { addTopicCommands } from './topic-commands.ts';

/**
 * The commands for users of the API (beside the server commands): account and keys, `count`,
 * `export`, `generic`, `tasks`. They talk to a running server through the typed client.
 */
export function addUserCommands(program: Command, env: CliEnvironment): void {
  addAccountCommands(program, env);
  addSegmentCommands(program, env);
  addOverlapCommands(program, env);
  addTasksCommands(program, env);
  addTopicCommands(program, env);
  program.addHelpText(
    'after',
    `
Connection (user commands): --url or AUDIENCES_URL (default http://127.0.0.1:8080); --api-key or
AUDIENCES_API_KEY, or the profile \`audiences login\` saves. --json prints one JSON document on stdout.
Exit codes: 0 success, 1 the task failed or was cancelled, 2 usage error, 3 API or network error or a
local failure (a file that cannot be written, e.g. a full disk under --out).

Examples:
  $ audiences start
  $ audiences login --email ada@example.com --create-key laptop
  $ audiences count --days 2024-05-01..2024-05-07 --prefixes 4eyes_101,4eyes_102 --scores high,medium
  $ audiences export --days 2024-05-01 --prefixes 4eyes_101 --scores high --out ./segment
  $ audiences tasks list --json | jq '.tasks[0]'
  $ audiences overlap TASK_ID TASK_ID TASK_ID
  $ audiences topics --search cloud
  $ audiences audience create --name "Cloud security" --last-days 7 --prefixes 4eyes_103 --scores high \\
      --unique-by person_id --people --delta --every 24h
  $ audiences audience run AUDIENCE_ID --wait`,
  );
}
