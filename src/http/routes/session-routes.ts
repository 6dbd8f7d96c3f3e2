import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import { LoginBody, SessionReply } from '../../contract/account-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { AppError } from '../../errors.ts';
import { clearSessionCookie, SESSION_COOKIE, sessionToken, setSessionCookie } from '../session-cookie.ts';

/**
 * Browser sessions for the web console: the JWT of a login kept in an `HttpOnly` cookie that no
 * script can read, plus the CSRF token the console sends with every request that changes something.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (
  app,
  { accounts },
) => {
  app.post(
    '/auth/v1/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in a browser: sets the session cookie and answers its CSRF token',
        body: LoginBody,
        response: { 200: SessionReply, ...problems(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const login = await accounts.login(request.body.email, request.body.password, request.ip);
      setSessionCookie(request, reply, login.token, new Date(login.expires_at));
      return {
        user_id: login.user_id,
        organization_id: login.organization_id,
        csrf_token: accounts.csrfToken(login.token),
      };
    },
  );

  app.get(
    '/auth/v1/session',
    {
      schema: {
        tags: ['accounts'],
        summary: "The browser session's user and CSRF token",
        security: [{ session: [] }],
        response: { 200: SessionReply, ...problems(401) },
      },
    },
    async (request) => {
      const token = sessionToken(request);
      const principal = token ? await accounts.authenticateToken(token) : undefined;
      if (!token || !principal?.userId) {
        throw new AppError('unauthorized', 'no session; log in with POST /auth/v1/session');
      }
      return {
        user_id: principal.userId,
        organization_id: principal.organizationId,
        csrf_token: accounts.csrfToken(token),
      };
    },
  );

  app.delete(
    '/auth/v1/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log out a browser: removes the session cookie',
        description: `Needs no CSRF token: it only ever removes the ${SESSION_COOKIE} cookie.`,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      clearSessionCookie(request, reply);
      return reply.status(204).send(null);
    },
  );
};
