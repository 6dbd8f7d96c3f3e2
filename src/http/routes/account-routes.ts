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
  RegisterBody,
  RegisterReply,
} from '../../contract/account-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { principalOf, requireUser } from '../auth.ts';

/**
 * Registration, login and API clients. One plugin of five short route declarations (a schema and a
 * call into `AccountService` each): longer than most functions, but split it would only scatter them.
 */
export const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (
  app,
  { accounts },
) => {
  app.post(
    '/auth/v1/register',
    {
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
      schema: {
        tags: ['accounts'],
        summary: 'Exchange e-mail and password for a JWT',
        body: LoginBody,
        response: { 200: LoginReply, ...problems(400, 401, 429) },
      },
    },
    async (request) => accounts.login(request.body.email, request.body.password, request.ip),
  );

  const userOnly = requireUser(accounts);
  const security: Array<Record<string, string[]>> = [{ bearer: [] }];

  app.post(
    '/client/v1',
    {
      onRequest: userOnly,
      schema: {
        tags: ['clients'],
        summary: 'Create an API client; its key and secret are shown this once',
        security,
        body: ClientBody,
        response: { 201: ClientCreatedReply, ...problems(400, 401) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await accounts.createClient(principalOf(request), request.body.name)),
  );

  app.get(
    '/client/v1',
    {
      onRequest: userOnly,
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
      onRequest: userOnly,
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
