import { randomUUID } from 'node:crypto';
import { AppError, invalidField } from '../errors.ts';
import type { ClientRecord, Store } from '../store/store.ts';
import { issueKey, looksLikeKey, sha256 } from './api-keys.ts';
import { LoginThrottle } from './login-throttle.ts';
import { passwordProblem } from './password-policy.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { TokenService } from './tokens.ts';

/** Who is calling: a user through a JWT or an API client through its key. */
export interface Principal {
  organizationId: string;
  userId?: string;
  clientId?: string;
}

export interface RegisterInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  organizationName: string;
}

export interface ClientView {
  client_id: string;
  name: string;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly throttle = new LoginThrottle(),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async register(input: RegisterInput) {
    const problem = await passwordProblem(input.password, {
      email: normaliseEmail(input.email),
      names: [input.firstName, input.lastName, input.organizationName],
    });
    if (problem) throw invalidField('password', problem);
    const now = this.clock().toISOString();
    const organization = { id: randomUUID(), name: input.organizationName.trim(), createdAt: now };
    const user = {
      id: randomUUID(),
      organizationId: organization.id,
      email: normaliseEmail(input.email),
      passwordHash: await hashPassword(input.password),
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      createdAt: now,
    };
    if (!(await this.store.createOrganizationWithUser(organization, user))) {
      throw new AppError('email_taken', 'an account with this e-mail already exists; log in instead');
    }
    return {
      user_id: user.id,
      organization_id: organization.id,
      organization_name: organization.name,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      created_at: now,
    };
  }

  /** `address` is the client's IP address, throttled alongside the e-mail. */
  async login(email: string, password: string, address: string) {
    const normalised = normaliseEmail(email);
    const wait = this.throttle.retryAfter(normalised, address);
    if (wait > 0) {
      throw new AppError('rate_limited', `too many failed logins; try again in ${wait} s`, [], {
        'retry-after': String(wait),
      });
    }
    const user = await this.store.findUserByEmail(normalised);
    // Unknown e-mails pay for a hash too, so timing does not tell which e-mails exist.
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !valid) {
      this.throttle.recordFailure(normalised, address);
      throw new AppError('invalid_credentials', 'e-mail or password is wrong');
    }
    this.throttle.recordSuccess(normalised);
    const { token, expiresAt } = await this.tokens.sign(
      { userId: user.id, organizationId: user.organizationId },
      this.clock(),
    );
    return {
      user_id: user.id,
      organization_id: user.organizationId,
      token,
      token_type: 'Bearer' as const,
      expires_at: expiresAt.toISOString(),
    };
  }

  async createClient(principal: Principal, name: string) {
    const issued = issueKey();
    const client: ClientRecord = {
      id: randomUUID(),
      organizationId: principal.organizationId,
      name: name.trim(),
      keyHash: issued.keyHash,
      keyPrefix: issued.keyPrefix,
      secretHash: issued.secretHash,
      createdBy: principal.userId ?? principal.clientId ?? '',
      createdAt: this.clock().toISOString(),
      revokedAt: null,
    };
    await this.store.insertClient(client);
    return {
      client_id: client.id,
      name: client.name,
      api_key: issued.apiKey,
      api_secret: issued.apiSecret,
      key_prefix: client.keyPrefix,
      created_at: client.createdAt,
    };
  }

  async listClients(principal: Principal): Promise<ClientView[]> {
    const clients = await this.store.listClients(principal.organizationId);
    return clients.map((c) => ({
      client_id: c.id,
      name: c.name,
      key_prefix: c.keyPrefix,
      created_at: c.createdAt,
      revoked_at: c.revokedAt,
    }));
  }

  async revokeClient(principal: Principal, clientId: string): Promise<void> {
    const revoked = await this.store.revokeClient(
      principal.organizationId,
      clientId,
      this.clock().toISOString(),
    );
    if (!revoked) throw new AppError('not_found', `no active client ${clientId} in your organisation`);
  }

  async authenticateKey(apiKey: string): Promise<Principal | undefined> {
    if (!looksLikeKey(apiKey)) return undefined;
    const client = await this.store.findActiveClientByKeyHash(sha256(apiKey));
    return client && { organizationId: client.organizationId, clientId: client.id };
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    const claims = await this.tokens.verify(token);
    return claims && { organizationId: claims.organizationId, userId: claims.userId };
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
