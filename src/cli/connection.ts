import type { Command } from 'commander';
import { AudiencesClient, type AudiencesClientOptions } from '../client/index.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { commandLineFetch } from './http-transport.ts';
import { type Profile, ProfileStore } from './profile-store.ts';
import { UsageError } from './usage-error.ts';

/** A client as the command line makes them: its requests through {@link commandLineFetch}. */
export function cliClient(options: AudiencesClientOptions): AudiencesClient {
  return new AudiencesClient({ ...options, fetch: commandLineFetch });
}

/** Where the API listens when neither `--url`, `AUDIENCES_URL` nor a profile names it. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The options every user command takes (see {@link withConnectionOptions}). */
export interface ConnectionOptions {
  url?: string;
  apiKey?: string;
  profile?: string;
  json?: boolean;
}

/** Adds `--url`, `--api-key`, `--profile` and `--json` to a user command. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', `the API's base URL (env AUDIENCES_URL; default ${DEFAULT_URL})`)
    .option('--api-key <key>', "API key (env AUDIENCES_API_KEY; default: the saved profile's key or login)")
    .option('--profile <name>', 'saved profile to use (env AUDIENCES_PROFILE; default "default")')
    .option('--json', "print the API's answer as one JSON document on stdout, nothing else");
}

/** What a command needs to talk to the API. */
export interface Connection {
  client: AudiencesClient;
  url: string;
  profileName: string;
  /** The saved profile, when it belongs to `url`. */
  profile?: Profile;
  profiles: ProfileStore;
}

type Needs = 'nothing' | 'task' | 'account';

function normaliseUrl(flag: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`${flag}: "${raw}" is not an http(s) URL, e.g. ${DEFAULT_URL}`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * What to do when the saved profile belongs to another server than the one `source` names: log in
 * to this one under a profile of its own (the saved one stays), or go back to the saved one's server.
 */
function otherServer(profileName: string, savedUrl: string, url: string, source: string): string {
  const back = source === '--url' ? 'drop --url' : 'unset AUDIENCES_URL';
  return (
    `the saved profile "${profileName}" is for ${savedUrl}, not ${url} (from ${source}). To use ${url}, ` +
    `log in to it under a profile of its own: \`audiences login --url ${url} --profile NAME --email you@example.com --create-key cli\`, ` +
    `then pass --profile NAME (or set AUDIENCES_PROFILE=NAME), or pass --api-key. To use ${savedUrl}, ${back}`
  );
}

function liveToken(profile: Profile | undefined, now: number): string | undefined {
  if (!profile?.token) return undefined;
  if (profile.token_expires_at && Date.parse(profile.token_expires_at) <= now) return undefined;
  return profile.token;
}

/**
 * The client for a command: the URL from `--url`, `AUDIENCES_URL`, the profile or the default; the
 * API key from `--api-key`, `AUDIENCES_API_KEY` or the profile, else the profile's login token (task
 * routes take either). A profile's credentials are used only against the URL it was saved for.
 * Account routes (`keys`) need a login token: `needs: 'account'` asks for one.
 */
export function connect(options: ConnectionOptions, env: CliEnvironment, needs: Needs): Connection {
  const profiles = new ProfileStore(env.configDir);
  const profileName = options.profile ?? env.profile ?? 'default';
  const saved = profiles.get(profileName);
  if (options.profile && !saved && needs !== 'nothing') {
    throw new UsageError(
      `--profile: no profile "${profileName}" in ${profiles.file}; run \`audiences login\``,
    );
  }
  const url = options.url
    ? normaliseUrl('--url', options.url)
    : env.url
      ? normaliseUrl('AUDIENCES_URL', env.url)
      : (saved?.url ?? DEFAULT_URL);
  const profile = saved && normaliseUrl('profile', saved.url) === url ? saved : undefined;
  const token = liveToken(profile, Date.now());
  const apiKey = options.apiKey ?? env.apiKey ?? profile?.api_key;
  // A profile saved for another server is not used here: say so, or "run login" reads as nonsense.
  const elsewhere =
    saved && !profile
      ? otherServer(profileName, saved.url, url, options.url ? '--url' : 'AUDIENCES_URL')
      : '';
  if (needs === 'task' && !apiKey && !token) {
    throw new UsageError(
      elsewhere
        ? `no API key for ${url}: ${elsewhere}`
        : 'no API key: pass --api-key, set AUDIENCES_API_KEY, or run `audiences login` (add --create-key NAME to save a key)',
    );
  }
  if (needs === 'account' && !token) {
    throw new UsageError(
      elsewhere
        ? `this command needs a login to ${url}: ${elsewhere}`
        : `this command needs a login to ${url}: run \`audiences login --email you@example.com\`${profile?.token ? ' (the saved login has expired)' : ''}`,
    );
  }
  const client = cliClient({
    baseUrl: url,
    ...(needs === 'account' ? { token } : apiKey ? { apiKey } : token ? { token } : {}),
  });
  return { client, url, profileName, ...(profile ? { profile } : {}), profiles };
}
