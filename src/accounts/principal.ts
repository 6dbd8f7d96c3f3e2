import type { ApiScope } from '../contract/account-schemas.ts';

/** Who is calling: a user through a login token (JWT) or an API client through its key. */
export interface Principal {
  organizationId: string;
  userId?: string;
  /** A user's login session, which a logout or a password change ends. */
  sessionId?: string;
  clientId?: string;
  /** What an API client's key may do; a user holds every scope. */
  scopes?: readonly ApiScope[];
}
