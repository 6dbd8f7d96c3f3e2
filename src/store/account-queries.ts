import type { Kysely } from 'kysely';
import type { ClientRecord, OrganizationRecord, UserRecord } from './account-records.ts';
import type { ClientTable, Database } from './schema.ts';

/** Organisations, their users and their API clients (keys, stored by their hash). */
export class AccountQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async createOrganizationWithUser(organization: OrganizationRecord, user: UserRecord): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('organizations').values(organization).execute();
        // The unique index decides, not a prior read: of concurrent sign-ups for one e-mail, PostgreSQL
        // makes the others wait for the first and then skips their rows.
        const inserted = await trx
          .insertInto('users')
          .values(user)
          .onConflict((conflict) => conflict.column('email').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new EmailTaken();
        return true;
      });
    } catch (error) {
      // Thrown to roll the organisation back.
      if (error instanceof EmailTaken) return false;
      throw error;
    }
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async findUserWithOrganization(
    userId: string,
  ): Promise<(UserRecord & { organizationName: string }) | undefined> {
    return this.db
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.organizationId')
      .selectAll('users')
      .select('organizations.name as organizationName')
      .where('users.id', '=', userId)
      .executeTakeFirst();
  }

  async insertClient(client: ClientRecord): Promise<void> {
    await this.db
      .insertInto('apiClients')
      .values({ ...client, scopes: JSON.stringify(client.scopes) })
      .execute();
  }

  async listClients(organizationId: string): Promise<ClientRecord[]> {
    const rows = await this.db
      .selectFrom('apiClients')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toClient);
  }

  async revokeClient(organizationId: string, clientId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('apiClients')
      .set({ revokedAt: at })
      .where('id', '=', clientId)
      .where('organizationId', '=', organizationId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async findClientByKeyHash(keyHash: string): Promise<ClientRecord | undefined> {
    const row = await this.db
      .selectFrom('apiClients')
      .selectAll()
      .where('keyHash', '=', keyHash)
      .executeTakeFirst();
    return row && toClient(row);
  }
}

/** Rolls back a sign-up whose e-mail turned out to be taken. */
class EmailTaken extends Error {}

/** A client as the store answers it: its scopes parsed from their JSON. */
function toClient(row: ClientTable): ClientRecord {
  return { ...row, scopes: JSON.parse(row.scopes) as ClientRecord['scopes'] };
}
