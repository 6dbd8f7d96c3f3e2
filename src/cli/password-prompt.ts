import { read } from 'read';
import type { CliEnvironment } from './cli-environment.ts';
import { UsageError } from './usage-error.ts';

/**
 * The password of `register` and `login`: `AUDIENCES_PASSWORD` when set, else asked on the terminal
 * without echo (the prompt goes to stderr, so stdout keeps only the answer). Never a flag: a flag
 * lands in the shell history and in `ps`.
 */
export async function readPassword(env: CliEnvironment, prompt = 'Password: '): Promise<string> {
  if (env.password) return env.password;
  if (!process.stdin.isTTY) {
    throw new UsageError('no terminal to ask the password on: set AUDIENCES_PASSWORD');
  }
  return prompted(prompt);
}

/**
 * The new password of `password`: `AUDIENCES_NEW_PASSWORD` when set, else asked twice on the
 * terminal without echo (a typo would lock the user out of the next login).
 */
export async function readNewPassword(env: CliEnvironment): Promise<string> {
  if (env.newPassword) return env.newPassword;
  if (!process.stdin.isTTY) {
    throw new UsageError('no terminal to ask the new password on: set AUDIENCES_NEW_PASSWORD');
  }
  const first = await prompted('New password: ');
  if ((await prompted('New password again: ')) !== first) {
    throw new UsageError('the two new passwords differ; nothing was changed');
  }
  return first;
}

async function prompted(prompt: string): Promise<string> {
  const password = await read({ prompt, silent: true, replace: '', output: process.stderr });
  if (!password) throw new UsageError('the password is empty');
  return String(password);
}
