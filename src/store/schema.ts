import type { Generated } from 'kysely';
import type { JobPhase, JobStatus, TaskStatus } from './store.ts';

/**
 * Tables as Kysely sees them, in camelCase: `CamelCasePlugin` maps each name to the snake_case
 * column (`organizationId` ↔ `organization_id`). Timestamps are ISO 8601 UTC text (sortable, same in
 * every dialect).
 */
export interface Database {
  organizations: OrganizationTable;
  users: UserTable;
  apiClients: ApiClientTable;
  tasks: TaskTable;
  jobs: JobTable;
  files: FileTable;
}

export interface OrganizationTable {
  id: string;
  name: string;
  createdAt: string;
}

export interface UserTable {
  id: string;
  organizationId: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  createdAt: string;
}

export interface ApiClientTable {
  id: string;
  organizationId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  secretHash: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface TaskTable {
  id: string;
  organizationId: string;
  type: string;
  status: TaskStatus;
  /** The normalised request, JSON. */
  request: string;
  totalJobs: number;
  completedJobs: number;
  failedJobs: number;
  totalCount: number | null;
  /** JSON {partition: rows}, sorted, written when the counts are final. */
  counts: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  expiresAt: string;
}

export interface JobTable {
  id: string;
  taskId: string;
  phase: JobPhase;
  seq: number;
  /** JSON array of partition keys. */
  partitions: string;
  status: JobStatus;
  attempts: Generated<number>;
  /** JSON object {partition: rows} written by the job, replaced when it runs again. */
  counts: string | null;
  /** JSON object {partition: [{uri, size, etag}]} of the objects a count job read. */
  manifest: string | null;
  error: string | null;
  updatedAt: string;
  /** The worker running the job; null unless `running`. */
  leaseOwner: string | null;
  /** When the lease ends unless renewed; a `running` job past it may be taken over. */
  leaseExpiresAt: string | null;
}

export interface FileTable {
  id: string;
  taskId: string;
  jobId: string;
  partition: string;
  uri: string;
  rows: number;
  sizeBytes: number;
  createdAt: string;
}
