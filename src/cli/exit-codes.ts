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
  /** The API answered an error or could not be reached, or a local file could not be written or read. */
  api: 3,
} as const;

/** What the system calls most likely to fail under `--out` mean, in words. */
const SYSTEM_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
};

const ACTIONS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  rm: 'remove',
  read: 'read',
};

export type SystemError = Error & { code: string; syscall: string; path?: string };

/** An error of the operating system (a file that cannot be written), as Node reports them. */
export function isSystemError(error: unknown): error is SystemError {
  const fields = error as Partial<SystemError>;
  return error instanceof Error && typeof fields.code === 'string' && typeof fields.syscall === 'string';
}

/** One line for a local failure: what could not be done, to which path, and why. */
function systemLine(error: SystemError): string {
  const action = ACTIONS[error.syscall] ?? error.syscall;
  const reason = SYSTEM_REASONS[error.code] ?? error.message.replace(/^[A-Z]+: /, '').split(',')[0];
  return `error: cannot ${action}${error.path ? ` ${error.path}` : ''}: ${reason} (${error.code})`;
}

/** An API error's field messages not already in its detail, each naming its field once. */
function fieldLines(error: AudiencesError): string[] {
  const detail = error.detail ?? '';
  const lines: string[] = [];
  for (const { field, message = '' } of error.errors ?? []) {
    // Some messages name their field already (`where_expr: unknown column …`): never twice.
    const line = field && !message.startsWith(`${field}: `) ? `${field}: ${message}` : message;
    if (!detail.includes(message) && !detail.includes(line)) lines.push(line);
  }
  return lines;
}

/**
 * Prints what went wrong to stderr, one line (and one more per field an API problem names beyond
 * its detail), and returns the exit code for it. An error that is none of these (a bug) is
 * rethrown so its stack trace shows.
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
    const where =
      error.status !== 0
        ? `the API answered ${error.status}: `
        : error.code === 'network_error'
          ? 'cannot reach the API: '
          : '';
    note(`error: ${where}${error.detail || error.message}`);
    for (const line of fieldLines(error)) note(`  ${line}`);
    return EXIT.api;
  }
  if (isSystemError(error)) {
    note(systemLine(error));
    return EXIT.api;
  }
  throw error;
}
