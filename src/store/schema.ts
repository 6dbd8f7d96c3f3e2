import type { Generated } from 'kysely';

/** Tables as Kysely sees them. Timestamps are ISO 8601 UTC text (sortable, same in every dialect). */
export interface Database {
  organizations: OrganizationTable;
  users: UserTable;
  api_clients: ApiClientTable;
  tasks: TaskTable;
  jobs: JobTable;
  files: FileTable;
}

export interface OrganizationTable {
  id: string;
  name: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  organization_id: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  created_at: string;
}

export interface ApiClientTable {
  id: string;
  organization_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  secret_hash: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export interface TaskTable {
  id: string;
  organization_id: string;
  type: string;
  status: string;
  /** The normalised request, JSON. */
  request: string;
  total_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  total_count: number | null;
  /** JSON {partition: rows}, sorted, written when the counts are final. */
  counts: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  expires_at: string;
}

export interface JobTable {
  id: string;
  task_id: string;
  phase: string;
  seq: number;
  /** JSON array of partition keys. */
  partitions: string;
  status: string;
  attempts: Generated<number>;
  /** JSON object {partition: rows} written by the job, replaced when it runs again. */
  counts: string | null;
  /** JSON object {partition: [{uri, size, etag}]} of the objects a count job read. */
  manifest: string | null;
  error: string | null;
  updated_at: string;
}

export interface FileTable {
  id: string;
  task_id: string;
  job_id: string;
  partition: string;
  uri: string;
  rows: number;
  size_bytes: number;
  created_at: string;
}
