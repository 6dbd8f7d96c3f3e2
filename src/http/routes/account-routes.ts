import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import {
  ClientBody,
  ClientCreatedReply,
  ClientList,
  ClientParams,
  LoginBody,
  LoginReply,
  PasswordBody,
  PasswordChangedReply,
  RegisterBody,
  RegisterReply,
} from '../../contract/account-schemas.ts';
import { problem, problems } from '../../contract/problem-schema.ts';
import { principalOf } from '../auth.ts';

/**
 * Registration, login, password change and API clients. One plugin of six short route declarations
 * (a schema and a call into `AccountService` each): longer than most functions, but split it would
 * only scatter them.
 */
export const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (
  app,
  { accounts },
) => {
  app.post(
    '/auth/v1/register',
    {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Create a user and its organisation',
        body: RegisterBody,
        response: { 201: RegisterReply, ...problems(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { email, password, first_name, last_name, organization_name } = request.body;
      const user = await accounts.register({
        email,
        password,
        firstName: first_name,
        lastName: last_name,
        organizationName: organization_name,
      });
      return reply.status(201).send(user);
    },
  );

  app.post(
    '/auth/v1/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Exchange e-mail and password for a JWT',
        body: LoginBody,
        response: { 200: LoginReply, ...problems(400, 401, 429) },
      },
    },
    async (request) => accounts.login(request.body.email, request.body.password, request.ip),
  );

  // A user's login only: no API key, whatever its scopes, may mint keys or change a password.
  const config = { access: 'user' } as const;
  const security: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

  app.post(
    '/auth/v1/password',
    {
      config,
      schema: {
        tags: ['accounts'],
        summary: "Change the caller's password; every other session of the user ends",
        description:
          'Authenticated by the login (Bearer token or session cookie) whose password changes; that ' +
          'session goes on, every other one ends at once (their tokens answer 401 session_ended). API ' +
          'keys are not affected: revoke those with DELETE /client/v1/{client_id}. A wrong ' +
          'current_password is counted as a failed login of the user (docs/login-throttling.md): 403 ' +
          'current_password_wrong with the tries left, 429 with Retry-After once a wait is in force.',
        security,
        body: PasswordBody,
        response: {
          200: PasswordChangedReply,
          ...problems(400, 401, 429),
          403: problem(
            403,
            'Refused: current_password is wrong (current_password_wrong; Attempts-Remaining says how many ' +
              'tries are left before a wait), or a browser session without its X-CSRF-Token (csrf_failed)',
          ),
        },
      },
    },
    async (request) => {
      const { current_password, new_password } = request.body;
      return accounts.changePassword(
        principalOf(request),
        { current: current_password, next: new_password },
        request.ip,
      );
    },
  );

  app.post(
    '/client/v1',
    {
      config,
      schema: {
        tags: ['clients'],
        summary: 'Create an API client; its key and secret are shown this once',
        security,
        body: ClientBody,
        response: { 201: ClientCreatedReply, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const { name, scopes } = request.body;
      return reply.status(201).send(await accounts.createClient(principalOf(request), name, scopes));
    },
  );

  app.get(
    '/client/v1',
    {
      config,
      schema: {
        tags: ['clients'],
        summary: "The organisation's API clients (key prefix only)",
        security,
        response: { 200: ClientList, ...problems(401) },
      },
    },
    async (request) => ({ clients: await accounts.listClients(principalOf(request)) }),
  );

  app.delete(
    '/client/v1/:client_id',
    {
      config,
      schema: {
        tags: ['clients'],
        summary: 'Revoke an API client; its key stops working at once',
        security,
        params: ClientParams,
        response: { 204: Type.Null({ description: 'Revoked' }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      await accounts.revokeClient(principalOf(request), request.params.client_id);
      return reply.status(204).send(null);
    },
  );
};
