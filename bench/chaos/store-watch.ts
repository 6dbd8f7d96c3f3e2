import os from 'node:os';
import pg from 'pg';

/** A job as the store has it right now. */
export interface JobState {
  id: string;
  taskId: string;
  phase: string;
  status: string;
  leaseOwner: string | null;
  /** ISO 8601; null unless running. */
  leaseExpiresAt: string | null;
  attempts: number;
}

/**
 * The chaos run's read-only view of the deployment's PostgreSQL store, the truth about jobs: who
 * holds which lease, what is queued, what an export job covered. Column names are the store's
 * (snake_case, see src/store/migrations.ts).
 */
export class StoreWatch {
  private readonly pool: pg.Pool;
  private readonly host = os.hostname();

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    // A failed idle connection is replaced on the next query; it must not end the run.
    this.pool.on('error', () => undefined);
  }

  /** The lease owner prefix of a worker process on this machine (`{hostname}:{pid}:`, see job-lease.ts). */
  ownerPrefix(pid: number): string {
    return `${this.host}:${pid}:`;
  }

  /** Running jobs whose lease names this worker process. */
  async heldBy(pid: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM jobs WHERE status = 'running' AND starts_with(lease_owner, $1) ORDER BY id",
      [this.ownerPrefix(pid)],
    );
    return rows.map((row) => row.id);
  }

  /** Pids (of this machine) that hold a running job's lease. */
  async busyPids(): Promise<number[]> {
    const { rows } = await this.pool.query<{ owner: string }>(
      "SELECT DISTINCT lease_owner AS owner FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL",
    );
    return rows
      .map((row) => row.owner.split(':'))
      .filter((parts) => parts[0] === this.host)
      .map((parts) => Number(parts[1]));
  }

  /** Queued jobs of tasks still in work: what the queue should be holding. */
  async queuedJobs(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT j.id FROM jobs j JOIN tasks t ON t.id = j.task_id
       WHERE j.status = 'queued' AND t.status IN ('in_progress', 'unloading') ORDER BY j.id`,
    );
    return rows.map((row) => row.id);
  }

  async jobStates(ids: readonly string[]): Promise<JobState[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<JobState>(
      `SELECT id, task_id AS "taskId", phase, status, lease_owner AS "leaseOwner",
              lease_expires_at AS "leaseExpiresAt", attempts
       FROM jobs WHERE id = ANY($1::text[])`,
      [ids],
    );
    return rows;
  }

  /** Every job of the store, for the end checks and the report. */
  async allJobs(): Promise<Array<JobState & { partitions: string[] }>> {
    const { rows } = await this.pool.query<JobState & { partitions: string }>(
      `SELECT id, task_id AS "taskId", phase, status, lease_owner AS "leaseOwner",
              lease_expires_at AS "leaseExpiresAt", attempts, partitions
       FROM jobs ORDER BY task_id, phase, seq`,
    );
    return rows.map((row) => ({ ...row, partitions: JSON.parse(row.partitions) as string[] }));
  }

  /** Every task of the store with its organisation and status. */
  async allTasks(): Promise<Array<{ id: string; organizationId: string; status: string }>> {
    const { rows } = await this.pool.query<{ id: string; organizationId: string; status: string }>(
      'SELECT id, organization_id AS "organizationId", status FROM tasks ORDER BY created_at, id',
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
