import type { Command } from 'commander';
import { AudiencesError } from '../client/index.ts';
import type { CliEnvironment } from './cli-environment.ts';
import { type ConnectionOptions, cliClient, connect, withConnectionOptions } from './connection.ts';
import { note, print, printJson } from './output.ts';
import { readNewPassword, readPassword } from './password-prompt.ts';

/**
 * `logout` and `password`: end the saved login's session, change the password.
 * (Each command is one commander chain of options, help and an action.)
 */
export function addSessionCommands(program: Command, env: CliEnvironment): void {
  withConnectionOptions(
    program.command('logout').description("end the saved login's session and forget its token"),
  )
    .addHelpText(
      'after',
      `
The login token stops working at once, on every API process. An API key saved in the profile is
kept: it is no login (revoke it with \`audiences keys revoke CLIENT_ID\`).

Example:
  $ audiences logout`,
    )
    .action(async (options: ConnectionOptions) => {
      const { url, profileName, profile, profiles } = connect(options, env, 'nothing');
      let ended = false;
      if (profile?.token) {
        try {
          await cliClient({ baseUrl: url, token: profile.token }).logout();
          ended = true;
        } catch (error) {
          // An expired token has no session left to end; anything else is worth reporting.
          if (!(error instanceof AudiencesError && error.status === 401)) throw error;
        }
        const { token: _token, token_expires_at: _expires, ...rest } = profile;
        profiles.set(profileName, rest);
      }
      if (options.json) return printJson({ url, profile: profileName, session_ended: ended });
      print(
        ended
          ? `logged out of ${url}: the login's session has ended`
          : `no live login of ${url} in profile "${profileName}"; nothing to end`,
      );
      if (profile?.api_key) note(`the profile's API key (${profile.client_id ?? 'saved'}) still works`);
    });

  withConnectionOptions(
    program
      .command('password')
      .description('change your password; every other session of yours ends, this login goes on'),
  )
    .addHelpText(
      'after',
      `
The current password comes from AUDIENCES_PASSWORD, the new one from AUDIENCES_NEW_PASSWORD; each
is asked on the terminal without echo when unset (the new one twice). The new password follows the
rules of \`register\`. Needs \`audiences login\`; API keys are not affected.

Example:
  $ audiences password`,
    )
    .action(async (options: ConnectionOptions) => {
      const { client } = connect(options, env, 'account');
      const current = await readPassword(env, 'Current password: ');
      const next = await readNewPassword(env);
      const answer = await client.changePassword({ current_password: current, new_password: next });
      if (options.json) return printJson(answer);
      const ended = answer.other_sessions_ended;
      print(`password changed; ${ended} other ${ended === 1 ? 'session' : 'sessions'} ended`);
      note('this login goes on; log in with the new password from now on');
    });
}
