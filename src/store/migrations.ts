import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';

/**
 * Migrations live in code so a fresh clone and every replica agree on the schema. Exported for the
 * tests that check a store applied exactly these.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': {
    // The first schema as one migration: a long list of table declarations, applied once, never edited.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('api_clients_org').on('api_clients').column('organization_id').execute();
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('total_jobs', 'integer', (c) => c.notNull())
        .addColumn('completed_jobs', 'integer', (c) => c.notNull())
        .addColumn('failed_jobs', 'integer', (c) => c.notNull())
        .addColumn('total_count', 'bigint')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      // Serves the newest-first listing with its (created_at, id) cursor.
      await db.schema
        .createIndex('tasks_org_created')
        .on('tasks')
        .columns(['organization_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('partitions', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('counts', 'text')
        .addColumn('error', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_task').on('jobs').columns(['task_id', 'phase', 'status']).execute();
      await db.schema.createIndex('jobs_status').on('jobs').column('status').execute();
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('uri', 'text', (c) => c.notNull())
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_task').on('files').columns(['task_id', 'partition']).execute();
      await db.schema.createIndex('files_job').on('files').column('job_id').execute();
    },
  },
  '0002_job_manifest': {
    async up(db: Kysely<unknown>) {
      // The objects a count job read, per partition, so the export reads exactly those.
      await db.schema.alterTable('jobs').addColumn('manifest', 'text').execute();
    },
  },
  '0003_task_counts': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tasks').addColumn('counts', 'text').execute();
    },
  },
  '0004_job_leases': {
    async up(db: Kysely<unknown>) {
      // Who runs a job and until when (ISO 8601 text, like every timestamp): set by a claim, pushed
      // on by renewals, cleared when the job leaves `running`. One column per statement: SQLite
      // adds a single column at a time.
      await db.schema.alterTable('jobs').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('lease_expires_at', 'text').execute();
      // Resumable jobs: queued ones, and running ones whose lease expired.
      await db.schema
        .createIndex('jobs_status_lease')
        .on('jobs')
        .columns(['status', 'lease_expires_at'])
        .execute();
      // A worker handing back its jobs at shutdown.
      await db.schema.createIndex('jobs_lease_owner').on('jobs').column('lease_owner').execute();
    },
  },
  '0005_task_figures': {
    async up(db: Kysely<unknown>) {
      // Figures of a task's whole segment (distinct values, breakdowns), JSON, once it is counted.
      await db.schema.alterTable('tasks').addColumn('figures', 'text').execute();
    },
  },
  '0006_idempotency_keys': {
    async up(db: Kysely<unknown>) {
      // One row per Idempotency-Key of an organisation: inserted first, it is the lock that makes
      // one of several concurrent requests with the key do the work; then it keeps that answer.
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['organization_id', 'key'])
        .execute();
      // The sweep of expired keys.
      await db.schema
        .createIndex('idempotency_keys_expires')
        .on('idempotency_keys')
        .column('expires_at')
        .execute();
    },
  },
  '0007_webhooks': {
    async up(db: Kysely<unknown>) {
      // An organisation's endpoints: `events` is a JSON array of event types; `secret` is kept as
      // given (whsec_…), since every delivery is signed with it.
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhooks_org')
        .on('webhooks')
        .columns(['organization_id', 'created_at'])
        .execute();
      // The outbox: one row per event and subscribed webhook, written in the transaction of the task's
      // status change, with the body frozen then. `event_id` is the `webhook-id` of every attempt.
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Deliverers look for pending rows that are due.
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_webhook')
        .on('webhook_deliveries')
        .column('webhook_id')
        .execute();
      // Every attempt of a delivery, for the delivery log (newest first).
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) =>
          c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
        )
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('attempted_at', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_attempts_log')
        .on('webhook_attempts')
        .columns(['webhook_id', 'attempted_at', 'id'])
        .execute();
    },
  },
  '0008_export_manifest': {
    async up(db: Kysely<unknown>) {
      // What a task's manifest lists: each file's checksum, and the columns its export wrote.
      await db.schema.alterTable('files').addColumn('sha256', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('output_columns', 'text').execute();
    },
  },
  '0009_audiences': {
    async up(db: Kysely<unknown>) {
      // Saved audiences: the spec is the domain's JSON; the name is unique per organisation, and
      // schedulers look for due ones by next_run_at.
      await db.schema
        .createTable('audiences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('next_run_at', 'text')
        .addColumn('baseline_from', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('audiences_org_name', ['organization_id', 'name'])
        .execute();
      await db.schema
        .createIndex('audiences_org_created')
        .on('audiences')
        .columns(['organization_id', 'created_at', 'id'])
        .execute();
      await db.schema.createIndex('audiences_next_run').on('audiences').column('next_run_at').execute();
      // One row per run or skipped slot; a slot is claimed once per audience (manual runs have none).
      await db.schema
        .createTable('audience_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('audience_id', 'text', (c) => c.notNull().references('audiences.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('slot', 'text')
        .addColumn('task_id', 'text')
        .addColumn('snapshot', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('audience_runs_slot', ['audience_id', 'slot'])
        .execute();
      await db.schema
        .createIndex('audience_runs_audience')
        .on('audience_runs')
        .columns(['audience_id', 'created_at', 'id'])
        .execute();
    },
  },
  '0010_task_names': {
    async up(db: Kysely<unknown>) {
      // A task's optional name as given, and folded (NFKC, lower case) for the task list's search,
      // so both dialects match letters of any case alike (SQLite's lower() knows only ASCII). A search
      // reads the organisation's live tasks through tasks_org_created; no index serves `LIKE '%…%'`.
      await db.schema.alterTable('tasks').addColumn('name', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('name_key', 'text').execute();
    },
  },
  '0011_workers': {
    async up(db: Kysely<unknown>) {
      // Live worker processes and their last beat: a silent one's jobs are handed over early.
      await db.schema
        .createTable('workers')
        .addColumn('owner', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workers_seen_at').on('workers').column('seen_at').execute();
    },
  },
  '0012_sessions': {
    async up(db: Kysely<unknown>) {
      // Login sessions: a login token names its row (`sid`), and is refused once the row is ended
      // (logout, password change) or gone. A login sweeps the user's expired rows.
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema
        .createIndex('sessions_user')
        .on('sessions')
        .columns(['user_id', 'expires_at'])
        .execute();
      // What an API key may do, a JSON array of scopes. Keys made before scopes existed keep all
      // three: what they could do then.
      await db.schema
        .alterTable('api_clients')
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["read","write","admin"]'))
        .execute();
    },
  },
  '0013_job_figures': {
    async up(db: Kysely<unknown>) {
      // Figures of one job's part of a segment (a sliced unique count's map and reduce jobs), merged
      // when its phase ends.
      await db.schema.alterTable('jobs').addColumn('figures', 'text').execute();
    },
  },
};

class CodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  // Migrations are written on parallel branches (0006 and 0007 landed in either order): a store that
  // applied a later one first still takes an earlier one it lacks.
  const migrator = new Migrator({ db, provider: new CodeMigrations(), allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
