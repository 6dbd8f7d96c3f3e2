import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ApiScope } from '../client/index.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, cliClient, connect, withConnectionOptions } from './connection.ts';
import { note, print, printJson, table } from './output.ts';
import { readPassword } from './password-prompt.ts';
import type { Profile } from './profile-store.ts';
import { addSessionCommands } from './session-commands.ts';

/** What `--scope` takes, in the API's order. */
const SCOPES: readonly ApiScope[] = ['read', 'write', 'admin'];

/** `--scope` given again adds a scope; a value that is none is a usage error naming the ones there are. */
function addScope(value: string, previous: ApiScope[] = []): ApiScope[] {
  const scope = SCOPES.find((s) => s === value);
  if (!scope) throw new InvalidArgumentError(`"${value}" is no scope; use ${SCOPES.join(', ')}`);
  return previous.includes(scope) ? previous : [...previous, scope];
}

const PASSWORD_HELP = `
The password comes from AUDIENCES_PASSWORD, or is asked on the terminal without echo.`;

/**
 * `register`, `login`, `logout`, `password` and `keys create|list|revoke`.
 * (Each command is one commander chain of options, help and an action: the function is long because
 * it declares two or three of them in the order `--help` lists them.)
 */
export function addAccountCommands(program: Command, env: CliEnvironment): void {
  withConnectionOptions(
    program
      .command('register')
      .description('create a user and its organisation')
      .requiredOption('--email <email>', 'your e-mail address (your login)')
      .requiredOption('--first-name <name>', 'your first name')
      .requiredOption('--last-name <name>', 'your last name')
      .requiredOption('--organization <name>', 'name of the organisation created for you'),
  )
    .addHelpText(
      'after',
      `${PASSWORD_HELP} At least 12 characters, not a common password.

Example:
  $ audiences register --email ada@example.com --first-name Ada --last-name Lovelace --organization Acme`,
    )
    .action(
      async (
        options: ConnectionOptions & {
          email: string;
          firstName: string;
          lastName: string;
          organization: string;
        },
      ) => {
        const { client } = connect(options, env, 'nothing');
        const password = await readPassword(env);
        const answer = await client.register({
          email: options.email,
          password,
          first_name: options.firstName,
          last_name: options.lastName,
          organization_name: options.organization,
        });
        if (options.json) return printJson(answer);
        print(`registered ${answer.email} in ${answer.organization_name} (${answer.organization_id})`);
        note(`next: audiences login --email ${answer.email} --create-key cli`);
      },
    );

  withConnectionOptions(
    program
      .command('login')
      .description('log in and save the login (and, with --create-key, a new API key) in a profile')
      .requiredOption('--email <email>', 'your e-mail address')
      .option(
        '--create-key [name]',
        'also create an API key (named NAME, default "audiences-cli") and save it: it does not expire',
      ),
  )
    .addHelpText(
      'after',
      `${PASSWORD_HELP}

Saves the profile (--profile, default "default") in $XDG_CONFIG_HOME/audiences/profiles.json
(~/.config/audiences/ without XDG_CONFIG_HOME), readable by you only (mode 0600). Later commands
use its API key, else its login token (valid 12 hours by default); \`keys\` needs the login.
A key already saved for the same URL is kept.

Example:
  $ audiences login --email ada@example.com --create-key laptop
  $ audiences count --days 2024-05-01 --prefixes 4eyes_101 --scores high`,
    )
    .action(async (options: ConnectionOptions & { email: string; createKey?: string | true }) => {
      const { client, url, profileName, profile, profiles } = connect(options, env, 'nothing');
      const password = await readPassword(env);
      const login = await client.login({ email: options.email, password });
      const saved: Profile = {
        url,
        email: options.email,
        token: login.token,
        token_expires_at: login.expires_at,
        // Logging in again as the same user keeps the key saved before.
        ...(profile?.api_key && profile.email === options.email
          ? { api_key: profile.api_key, ...(profile.client_id ? { client_id: profile.client_id } : {}) }
          : {}),
      };
      let key: Awaited<ReturnType<typeof client.createKey>> | undefined;
      if (options.createKey) {
        const name = options.createKey === true ? 'audiences-cli' : options.createKey;
        const account = cliClient({ baseUrl: url, token: login.token });
        key = await account.createKey({ name });
        saved.api_key = key.api_key;
        saved.client_id = key.client_id;
      }
      profiles.set(profileName, saved);
      if (options.json) return printJson({ ...login, ...(key ? { client: key } : {}) });
      print(`logged in to ${url} as ${options.email}; profile "${profileName}" saved in ${profiles.file}`);
      if (key) print(`API key "${key.name}" (${key.client_id}) created and saved in the profile`);
      else note(`the login lasts until ${login.expires_at}; add --create-key NAME to save an API key`);
    });

  addSessionCommands(program, env);
  addKeysCommands(program, env);
}

/**
 * `keys create|list|revoke`.
 * (Each command is one commander chain of options, help and an action: the function is long because
 * it declares two or three of them in the order `--help` lists them.)
 */
function addKeysCommands(program: Command, env: CliEnvironment): void {
  const keys = program
    .command('keys')
    .description("your organisation's API keys (needs `audiences login`): create, list, revoke");

  withConnectionOptions(
    keys
      .command('create')
      .argument('<name>', 'a name to tell the key apart')
      .description('create an API key; its key and secret are shown this once')
      .addOption(
        new Option(
          '--scope <scope>',
          'what the key may do, once per scope: read, write, admin (default: all three)',
        ).argParser(addScope),
      )
      .option('--save', 'save the key in the profile, for later commands'),
  )
    .addHelpText(
      'after',
      `
Scopes: read (task status and lists, the catalog, estimates, previews, manifests, downloads), write
(create, unload, cancel and retry tasks; change and run audiences), admin (webhooks). A key used
outside its scopes gets 403 scope_missing.

Examples:
  $ audiences keys create ci --json | jq -r .api_key
  $ audiences keys create dashboard --scope read
  $ audiences keys create pipeline --scope read --scope write`,
    )
    .action(async (name: string, options: ConnectionOptions & { save?: boolean; scope?: ApiScope[] }) => {
      const { client, profileName, profile, profiles } = connect(options, env, 'account');
      const key = await client.createKey({ name, ...(options.scope && { scopes: options.scope }) });
      if (options.save && profile) {
        profiles.set(profileName, { ...profile, api_key: key.api_key, client_id: key.client_id });
      }
      if (options.json) return printJson(key);
      print(
        table(
          [],
          [
            ['client_id', key.client_id],
            ['name', key.name],
            ['scopes', key.scopes.join(', ')],
            ['api_key', key.api_key],
            ['api_secret', key.api_secret],
          ],
        ),
      );
      note(
        options.save
          ? `saved in profile "${profileName}"`
          : 'the key and secret are shown this once: keep them',
      );
    });

  withConnectionOptions(keys.command('list').description('list API keys (their prefix only)'))
    .addHelpText(
      'after',
      `
Example:
  $ audiences keys list`,
    )
    .action(async (options: ConnectionOptions) => {
      const { client } = connect(options, env, 'account');
      const clients = await client.listKeys();
      if (options.json) return printJson({ clients });
      const rows = clients.map((key) => [
        key.client_id,
        key.name,
        key.key_prefix,
        key.scopes.join(','),
        key.created_at,
        key.revoked_at ?? '-',
      ]);
      print(table(['CLIENT', 'NAME', 'KEY PREFIX', 'SCOPES', 'CREATED', 'REVOKED'], rows));
    });

  withConnectionOptions(
    keys
      .command('revoke')
      .argument('<client-id>', "the key's client id (see keys list)")
      .description('revoke an API key at once'),
  )
    .addHelpText(
      'after',
      `
Example:
  $ audiences keys revoke 0b9c6d2e-8f4a-4c51-9d3e-2a7f1c6b5e40`,
    )
    .action(async (clientId: string, options: ConnectionOptions) => {
      const { client, profileName, profile, profiles } = connect(options, env, 'account');
      await client.revokeKey(clientId);
      if (profile?.client_id === clientId) {
        // The saved key no longer works: drop it, so later commands fall back to the login.
        const { api_key: _key, client_id: _id, ...rest } = profile;
        profiles.set(profileName, rest);
      }
      // The API answers 204 without a body: --json prints what happened.
      if (options.json) return printJson({ client_id: clientId, revoked: true });
      print(`revoked ${clientId}`);
    });
}
