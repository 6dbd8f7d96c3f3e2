import type { ApiScope } from '../contract/account-schemas.ts';

export interface OrganizationRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  organizationId: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  createdAt: string;
}

export interface ClientRecord {
  id: string;
  organizationId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  secretHash: string;
  /** What its key may do; the API checks them on every request the key makes. */
  scopes: ApiScope[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Organisations, users and API clients. */
export interface AccountStore {
  /**
   * Creates both in one transaction; false (and nothing written) when the e-mail is taken, also
   * when another call takes it concurrently (exactly one of several concurrent calls for one e-mail
   * answers true). The e-mail is compared as given: the caller normalises it.
   */
  createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean>;

  /** The user with exactly this (normalised) e-mail. */
  findUserByEmail(email: string): Promise<UserRecord | undefined>;

  /** The user with this id, with the name of its organisation: whom a browser session belongs to. */
  findUserWithOrganization(userId: string): Promise<(UserRecord & { organizationName: string }) | undefined>;

  /** Rejects when the key hash is already stored (it is unique). */
  insertClient(client: ClientRecord): Promise<void>;

  /** The organisation's clients, revoked ones included, newest first. */
  listClients(organizationId: string): Promise<ClientRecord[]>;

  /**
   * True when an active client of that organisation was revoked; false for an unknown client,
   * another organisation's, or one already revoked (so revoking twice keeps the first time).
   */
  revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean>;

  /**
   * The client whose key has this hash, revoked or not: what authenticates an API request (a
   * revoked one is refused, with an answer saying so).
   */
  findClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined>;
}
