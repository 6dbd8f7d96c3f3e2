/**
 * The store is the truth: accounts, tasks, jobs, counts and files, saved audiences and their runs. Implementations sit side by side
 * (`kysely-store.ts` over SQLite or PostgreSQL); the domain only sees these interfaces. Each area's
 * records and its part of the store are in its own file; a module that needs one area takes that
 * part (`TaskStore`, `JobStore`, …), the composition root hands over the whole `Store`.
 */
import type { AccountStore } from './account-records.ts';
import type { AudienceStore } from './audience-records.ts';
import type { IdempotencyStore } from './idempotency-records.ts';
import type { JobStore } from './job-records.ts';
import type { SessionStore } from './session-records.ts';
import type { TaskStore } from './task-records.ts';
import type { WebhookStore } from './webhook-records.ts';
import type { WorkerStore } from './worker-records.ts';

export type * from './account-records.ts';
export type * from './audience-records.ts';
export type * from './idempotency-records.ts';
export type * from './job-records.ts';
export type * from './session-records.ts';
export type * from './task-records.ts';
export { MANIFEST_PARTITION } from './task-records.ts';
export type * from './webhook-records.ts';
export type * from './worker-records.ts';

export interface Store
  extends AccountStore,
    SessionStore,
    TaskStore,
    JobStore,
    IdempotencyStore,
    WebhookStore,
    AudienceStore,
    WorkerStore {
  /** Resolves when the database answers a trivial query; rejects when it cannot be reached. */
  ping(): Promise<void>;

  /** Closes the SQLite file or the PostgreSQL pool; the store is unusable afterwards. */
  close(): Promise<void>;
}
