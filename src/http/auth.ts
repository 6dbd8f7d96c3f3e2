import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, Principal } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import { sessionPrincipal } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const UNAUTHORIZED = 'send a valid X-API-Key header (or Authorization: Bearer <token> from /auth/v1/login)';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : '';
}

/** Task routes: an API key, or a user's JWT (in the Authorization header or the console's session cookie). */
export function requireApiAccess(accounts: AccountService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const key = request.headers['x-api-key'];
    if (typeof key === 'string') {
      request.principal = await accounts.authenticateKey(key);
    } else if (request.headers.authorization !== undefined) {
      const token = bearer(request);
      if (token) request.principal = await accounts.authenticateToken(token);
    } else {
      request.principal = await sessionPrincipal(accounts, request);
    }
    if (!request.principal) throw new AppError('unauthorized', UNAUTHORIZED);
  };
}

/**
 * Account routes (API clients): a user's JWT only (header or session cookie), so a leaked key cannot
 * mint more keys.
 */
export function requireUser(accounts: AccountService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    if (request.headers.authorization !== undefined) {
      const token = bearer(request);
      if (token) request.principal = await accounts.authenticateToken(token);
    } else {
      request.principal = await sessionPrincipal(accounts, request);
    }
    if (!request.principal) {
      throw new AppError('unauthorized', 'send Authorization: Bearer <token> from POST /auth/v1/login');
    }
  };
}

/** The caller set by the auth hook; routes behind it always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', UNAUTHORIZED);
  return request.principal;
}

/** How the API routes may be called (OpenAPI `security`): an API key, or a user's bearer token. */
export const API_SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
