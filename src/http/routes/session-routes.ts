import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../../accounts/account-service.ts';
import { LoginBody, SessionReply, SessionState } from '../../contract/account-schemas.ts';
import { problems } from '../../contract/problem-schema.ts';
import { AppError } from '../../errors.ts';
import { principalOf } from '../auth.ts';
import { clearSessionCookie, SESSION_COOKIE, sessionToken, setSessionCookie } from '../session-cookie.ts';

/**
 * Browser sessions for the web console: the JWT of a login kept in an `HttpOnly` cookie that no
 * script can read, plus the CSRF token the console sends with every request that changes something;
 * and logging out, which ends a login's session in the store for every API process.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (
  app,
  { accounts },
) => {
  app.post(
    '/auth/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Log in a browser: sets the session cookie and answers its CSRF token',
        body: LoginBody,
        response: { 200: SessionReply, ...problems(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const login = await accounts.login(request.body.email, request.body.password, request.ip);
      const user = await accounts.sessionUser({
        userId: login.user_id,
        organizationId: login.organization_id,
      });
      // Only a user deleted between the password check and here.
      if (!user) throw new AppError('invalid_credentials', 'e-mail or password is wrong');
      setSessionCookie(request, reply, login.token, new Date(login.expires_at));
      return {
        signed_in: true as const,
        user_id: login.user_id,
        organization_id: login.organization_id,
        ...user,
        csrf_token: accounts.csrfToken(login.token),
      };
    },
  );

  app.get(
    '/auth/v1/session',
    {
      // The cookie is optional: without a valid one the answer says so.
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: "The browser session's user and CSRF token, or `signed_in: false` without one",
        description:
          'Answers 200 either way: the console asks on every visit, and being signed out is no error.',
        // The cookie is optional here: without it the answer says so.
        security: [{ session: [] }, {}],
        response: { 200: SessionState },
      },
    },
    async (request) => {
      const token = sessionToken(request);
      const check = token ? await accounts.authenticateToken(token) : undefined;
      const principal = check && 'principal' in check ? check.principal : undefined;
      const user = principal && (await accounts.sessionUser(principal));
      if (!token || !principal?.userId || !user) return { signed_in: false as const };
      return {
        signed_in: true as const,
        user_id: principal.userId,
        organization_id: principal.organizationId,
        ...user,
        csrf_token: accounts.csrfToken(token),
      };
    },
  );

  app.delete(
    '/auth/v1/session',
    {
      // The cookie is the credential, and the only session this can end.
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: "Log out a browser: ends the cookie's session and removes the cookie",
        description:
          `Ends the login session of the ${SESSION_COOKIE} cookie in the store (its token is refused ` +
          'from the next request on, by every API process) and removes the cookie. Needs no CSRF ' +
          'token: the worst a forged request could do is log the browser out, and the cookie is ' +
          'SameSite=Strict, so no other site can send it anyway. Answers 204 without a cookie too.',
        response: { 204: Type.Null({ description: 'Logged out: the session ended, the cookie is removed' }) },
      },
    },
    async (request, reply) => {
      const token = sessionToken(request);
      if (token) await accounts.endSessionOf(token);
      clearSessionCookie(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/v1/logout',
    {
      config: { access: 'user' },
      schema: {
        tags: ['accounts'],
        summary: "End the caller's login session: its token stops working at once",
        description:
          'Ends the session of the login token sent (Authorization: Bearer, or the session cookie with ' +
          'its X-CSRF-Token): from the next request on, every API process answers that token 401 ' +
          "session_ended. The user's other sessions and the organisation's API keys go on. A session " +
          'cookie sent along is removed.',
        security: [{ bearer: [] }, { session: [] }],
        response: {
          204: Type.Null({ description: 'Logged out: the session has ended' }),
          ...problems(401),
        },
      },
    },
    async (request, reply) => {
      await accounts.logout(principalOf(request));
      if (sessionToken(request)) clearSessionCookie(request, reply);
      return reply.status(204).send(null);
    },
  );
};
