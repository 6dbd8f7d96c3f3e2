import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { addAudienceCommands } from './cli/audience-commands.ts';
import { loadCliEnvironment } from './cli/cli-environment.ts';
import { reportError } from './cli/exit-codes.ts';
import { addUserCommands } from './cli/user-commands.ts';
import { ConfigError, checkScaledOut, loadConfig } from './config.ts';
import type { Roles } from './server.ts';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

const program = new Command()
  .name('audiences')
  .description(
    'Audiences: run the API (start, serve, worker), or count and export intent segments from a terminal',
  )
  .showHelpAfterError()
  // Errors of commander (a bad flag, a missing option) become exceptions, so they exit 2 like every
  // usage error; subcommands inherit the setting, so it comes before them.
  .exitOverride();

/** Runs the roles until SIGINT/SIGTERM, then stops gracefully (a worker hands back what it still runs). */
async function run(roles: Roles, command: string): Promise<void> {
  const config = loadConfigOrExit();
  if (roles.api !== roles.worker) exitOnConfigError(() => checkScaledOut(config, command));
  // The server (DuckDB, the store's drivers, Fastify) is loaded by the commands that run it only:
  // the user commands (`login`, `count`, ...) start in a fraction of the time.
  const { startService } = await import('./server.ts');
  const service = await startService(config, roles).catch((error) => exitIfStoreDown(command, error));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: shutting down`);
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * A database still down after the start's wait (see `START_WAIT_MS`) is an operator's matter: one
 * line naming it, exit 1. Any other error goes on up.
 */
async function exitIfStoreDown(command: string, error: unknown): Promise<never> {
  const { isStoreUnavailable } = await import('./store/store-unavailable.ts');
  if (!isStoreUnavailable(error)) throw error;
  console.error(`audiences ${command}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

program
  .command('start', { isDefault: true })
  .description('run the API with its in-process worker (embedded mode: SQLite, local files, DuckDB)')
  .action(() => run({ api: true, worker: true }, 'start'));

program
  .command('serve')
  .description('run the API only (scaled out: needs DATABASE_URL, REDIS_URL, JWT_SECRET, LINK_SECRET)')
  .action(() => run({ api: true, worker: false }, 'serve'));

program
  .command('worker')
  .description('run jobs only (scaled out: needs DATABASE_URL and REDIS_URL; METRICS_PORT serves /metrics)')
  .action(() => run({ api: false, worker: true }, 'worker'));

program
  .command('migrate')
  .description(
    "apply the store's migrations and exit (several at once are safe: one migrates, the others wait)",
  )
  .action(async () => {
    const { store: settings, server } = loadConfigOrExit();
    const { openStore } = await import('./store/open-store.ts');
    const store = await openStore({ databaseUrl: settings.databaseUrl, dataDir: server.dataDir }).catch(
      (error) => exitIfStoreDown('migrate', error),
    );
    await store.close();
    console.log(`the store is up to date (${settings.databaseUrl ? 'PostgreSQL' : 'SQLite'})`);
  });

program
  .command('demo-data')
  .description('write a seeded, realistic intent tree (day=/prefix=/score=/*.parquet)')
  .requiredOption('--out <dir>', 'folder to write the tree into')
  .option('--rows <n>', 'total rows', positiveInteger, 1_500_000)
  .option('--days <n>', 'consecutive days', positiveInteger, 7)
  .option('--prefixes <n>', 'topic prefixes', positiveInteger, 10)
  .option('--seed <n>', 'random seed (same seed, same rows)', integer, 42)
  .option('--start-day <day>', 'first day, YYYY-MM-DD', '2024-05-01')
  .action(
    async (options: {
      out: string;
      rows: number;
      days: number;
      prefixes: number;
      seed: number;
      startDay: string;
    }) => {
      const { SingleBar, Presets } = await import('cli-progress');
      const { generateDemoData } = await import('./demo/demo-data.ts');
      const bar = new SingleBar(
        { format: 'demo data [{bar}] {percentage}% | {value}/{total}', hideCursor: true },
        Presets.shades_classic,
      );
      let started = false;
      const result = await generateDemoData(
        {
          out: path.resolve(options.out),
          rows: options.rows,
          days: options.days,
          prefixes: options.prefixes,
          seed: options.seed,
          startDay: options.startDay,
        },
        (done, total) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      );
      if (started) bar.stop();
      console.log(
        `wrote ${result.rows} rows in ${result.files} files (${(result.bytes / 1e6).toFixed(1)} MB) to ${path.resolve(options.out)} in ${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
      console.log(`days: ${result.days.join(', ')}`);
      console.log(`prefixes: ${result.prefixes.join(', ')}`);
    },
  );

function loadConfigOrExit() {
  return exitOnConfigError(() => loadConfig());
}

/** A configuration error stops the process with a message naming the variable (exit code 2). */
function exitOnConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

const cliEnvironment = loadCliEnvironment();
addUserCommands(program, cliEnvironment);
addAudienceCommands(program, cliEnvironment);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
