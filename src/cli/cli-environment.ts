import os from 'node:os';
import path from 'node:path';

/** What the user commands of the `audiences` command line read from the environment. */
export interface CliEnvironment {
  /** `AUDIENCES_URL`: the API's base URL, when `--url` is not given. */
  url?: string;
  /** `AUDIENCES_API_KEY`: the API key, when `--api-key` is not given. */
  apiKey?: string;
  /** `AUDIENCES_PASSWORD`: the password of `register` and `login` (the current one of `password`), instead of a prompt. */
  password?: string;
  /** `AUDIENCES_NEW_PASSWORD`: the new password of `password`, instead of a prompt. */
  newPassword?: string;
  /** `AUDIENCES_PROFILE`: the saved profile, when `--profile` is not given. */
  profile?: string;
  /** Folder of the saved profiles: `$XDG_CONFIG_HOME/audiences`, else `~/.config/audiences`. */
  configDir: string;
}

/**
 * The command line's own variables, apart from the service's configuration (`src/config.ts`): a
 * user command reads these and nothing of the server's. This module and `src/config.ts` are the only
 * ones that read `process.env` (see biome.json). Empty values count as unset, as they do for the
 * server's variables.
 */
export function loadCliEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CliEnvironment {
  const value = (name: string) => env[name] || undefined;
  const configHome = value('XDG_CONFIG_HOME') ?? path.join(os.homedir(), '.config');
  return {
    url: value('AUDIENCES_URL'),
    apiKey: value('AUDIENCES_API_KEY'),
    password: value('AUDIENCES_PASSWORD'),
    newPassword: value('AUDIENCES_NEW_PASSWORD'),
    profile: value('AUDIENCES_PROFILE'),
    configDir: path.join(path.resolve(configHome), 'audiences'),
  };
}
