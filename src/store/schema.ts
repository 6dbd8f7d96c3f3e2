import type { Generated } from 'kysely';
import type {
  ClientRecord,
  FileRecord,
  JobPhase,
  JobStatus,
  OrganizationRecord,
  SessionRecord,
  TaskEventType,
  TaskStatus,
  UserRecord,
  WebhookAttemptOutcome,
  WebhookDeliveryStatus,
} from './store.ts';

/**
 * Tables as Kysely sees them, in camelCase: `CamelCasePlugin` maps each name to the snake_case
 * column (`organizationId` ↔ `organization_id`). Timestamps are ISO 8601 UTC text (sortable, same in
 * every dialect).
 */
export interface Database {
  // Rows of these tables are the store's records as they are.
  organizations: OrganizationRecord;
  users: UserRecord;
  sessions: SessionRecord;
  apiClients: ClientTable;
  tasks: TaskTable;
  jobs: JobTable;
  files: FileRecord;
  idempotencyKeys: IdempotencyKeyTable;
  webhooks: WebhookTable;
  webhookDeliveries: WebhookDeliveryTable;
  webhookAttempts: WebhookAttemptTable;
  audiences: AudienceTable;
  audienceRuns: AudienceRunTable;
  workers: WorkerTable;
}

/** An API client's row: its scopes as a JSON array of the scope names. */
export interface ClientTable extends Omit<ClientRecord, 'scopes'> {
  scopes: string;
}

export interface TaskTable {
  id: string;
  organizationId: string;
  type: string;
  /** The name given at creation, trimmed; null without one. */
  name: string | null;
  /** `name` folded for searching (`searchKey`); null without a name. */
  nameKey: string | null;
  status: TaskStatus;
  /** The normalised request, JSON. */
  request: string;
  totalJobs: number;
  completedJobs: number;
  failedJobs: number;
  totalCount: number | null;
  /** JSON {partition: rows}, sorted, written when the counts are final. */
  counts: string | null;
  /** JSON figures of the whole segment (`JobOutcome.figures`), written by the task's count job. */
  figures: string | null;
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
  /** JSON {columns: [{name, type}], codec?} of what an export job wrote (`JobOutcome.schema`). */
  outputColumns: string | null;
  /** JSON figures of the job's part of the segment (`JobOutcome.partFigures`); null for most jobs. */
  figures: string | null;
  error: string | null;
  updatedAt: string;
  /** The worker running the job; null unless `running`. */
  leaseOwner: string | null;
  /** When the lease ends unless renewed; a `running` job past it may be taken over. */
  leaseExpiresAt: string | null;
}

export interface IdempotencyKeyTable {
  organizationId: string;
  key: string;
  fingerprint: string;
  token: string;
  createdAt: string;
  expiresAt: string;
  /** The answer, once the request holding the key gave one: null while it runs. */
  responseStatus: number | null;
  /** JSON {name: value} of the answer's headers worth repeating. */
  responseHeaders: string | null;
  responseBody: string | null;
}

export interface WebhookTable {
  id: string;
  organizationId: string;
  url: string;
  /** JSON array of the event types the webhook receives. */
  events: string;
  /** `whsec_` and the base64 key: every delivery is signed with it. */
  secret: string;
  createdAt: string;
}

/** The outbox: one row per event and subscribed webhook. */
export interface WebhookDeliveryTable {
  id: string;
  webhookId: string;
  /** The `webhook-id` of every attempt (shared by the event's rows for other webhooks). */
  eventId: string;
  eventType: TaskEventType;
  taskId: string;
  /** The request body, frozen when the event was recorded: every attempt sends these bytes. */
  payload: string;
  status: WebhookDeliveryStatus;
  /** Attempts claimed so far (a claim counts one). */
  attempts: Generated<number>;
  /** When the next attempt is due; null once delivered or given up. */
  nextAttemptAt: string | null;
  /** The deliverer sending it now, and until when; null when nobody holds it. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptTable {
  id: string;
  deliveryId: string;
  webhookId: string;
  attempt: number;
  outcome: WebhookAttemptOutcome;
  statusCode: number | null;
  error: string | null;
  attemptedAt: string;
  nextAttemptAt: string | null;
}

export interface AudienceTable {
  id: string;
  organizationId: string;
  /** Unique per organisation. */
  name: string;
  kind: string;
  /** JSON: what the audience selects, its window, schedule and delivery (the domain's shape). */
  spec: string;
  version: number;
  nextRunAt: string | null;
  baselineFrom: string;
  createdAt: string;
  updatedAt: string;
}

export interface AudienceRunTable {
  id: string;
  audienceId: string;
  organizationId: string;
  version: number;
  trigger: string;
  /** Unique per audience (null for manual runs, which SQL's UNIQUE lets repeat). */
  slot: string | null;
  taskId: string | null;
  snapshot: string | null;
  /** JSON: what the run read and against what. */
  details: string;
  createdAt: string;
}

/** A live worker process (see `WorkerStore`): its lease owner name and its last beat. */
export interface WorkerTable {
  owner: string;
  startedAt: string;
  seenAt: string;
}
