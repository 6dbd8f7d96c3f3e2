import { CommanderError } from 'commander';
import { AudiencesError, TaskEndedError } from '../client/index.ts';
import { note } from './output.ts';
import { UsageError } from './usage-error.ts';

/** The exit codes of the user commands, as the README documents them. */
export const EXIT = {
  ok: 0,
  /** The task failed or was cancelled. */
  taskEnded: 1,
  /** The command was called wrongly: a bad flag or value, a missing login. */
  usage: 2,
  /** The API answered an error, or could not be reached. */
  api: 3,
} as const;

/**
 * Prints what went wrong to stderr and returns the exit code for it; an error that is none of the
 * command line's own (a bug) is rethrown so its stack trace shows.
 */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its message (or the help) already; --help and --version are successes.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UsageError) {
    note(`error: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof TaskEndedError) {
    note(`error: ${error.detail || error.message}`);
    return EXIT.taskEnded;
  }
  if (error instanceof AudiencesError) {
    const where = error.status === 0 ? 'cannot reach the API' : `the API answered ${error.status}`;
    note(`error: ${where}: ${error.detail || error.message}`);
    // The detail of a validation problem already names its first field: each is said once.
    for (const field of error.errors ?? []) {
      const name = (field as { field?: string }).field;
      const line = `${name ? `${name}: ` : ''}${(field as { message?: string }).message ?? ''}`;
      if (!(error.detail ?? '').includes(line)) note(`  ${line}`);
    }
    return EXIT.api;
  }
  throw error;
}
