import { API_SCOPES, type ApiScope } from '../contract/account-schemas.ts';
import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

/** The scopes of a key created without any: all of them, what every key could do before scopes existed. */
export const DEFAULT_SCOPES: readonly ApiScope[] = API_SCOPES;

/** The scopes of a new key: those asked for, in the order of `API_SCOPES`, or the default. */
export function keyScopes(asked: readonly ApiScope[] | undefined): ApiScope[] {
  const wanted = new Set(asked ?? DEFAULT_SCOPES);
  return API_SCOPES.filter((scope) => wanted.has(scope));
}

/**
 * Refuses an API key that lacks `needed`. A user's login holds every scope, so only keys are ever
 * refused here; a key's principal without scopes holds none (fails closed).
 *
 * @throws AppError `scope_missing` naming the scope, the key's own, and the key to create instead
 */
export function requireScope(principal: Principal, needed: ApiScope): void {
  if (principal.clientId === undefined) return;
  const held = principal.scopes ?? [];
  if (held.includes(needed)) return;
  const instead = keyScopes([...held, needed]);
  const flags = instead.map((scope) => `--scope ${scope}`).join(' ');
  throw new AppError(
    'scope_missing',
    `this API key lacks the '${needed}' scope (it has ${held.join(', ') || 'none'}); create a key with ` +
      `scopes [${instead.join(', ')}] (POST /client/v1 with "scopes", \`audiences keys create NAME ${flags}\`, ` +
      `or the console's "API keys" page) and send it instead`,
  );
}
