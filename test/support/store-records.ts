import type {
  JobPhase,
  NewJob,
  OrganizationRecord,
  Store,
  TaskLifecycle,
  TaskRecord,
  UserRecord,
} from '../../src/store/store.ts';
import type { TaskPlan } from '../../src/tasks/task-model.ts';

/**
 * Store records for tests, built with plain defaults: a test passes explicitly every value its
 * assertions depend on.
 */

export const FIXTURE_CREATED = '2024-06-01T10:00:00.000Z';
export const FIXTURE_EXPIRES = '2024-06-10T00:00:00.000Z';

/** Organisation `org-1`, "Acme". */
export function organizationRecord(overrides: Partial<OrganizationRecord> = {}): OrganizationRecord {
  return { id: 'org-1', name: 'Acme', createdAt: FIXTURE_CREATED, ...overrides };
}

/** User `u1` of `org-1`, a@example.com. */
export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'u1',
    organizationId: 'org-1',
    email: 'a@example.com',
    passwordHash: 'x',
    firstName: 'A',
    lastName: 'B',
    createdAt: FIXTURE_CREATED,
    ...overrides,
  };
}

/**
 * Creates an organisation with its first user (by default `u1` of `org-1`); the user belongs to the
 * organisation and is created with it unless told otherwise. Resolves to whether it was created.
 */
export function seedOrganization(
  store: Store,
  organization: Partial<OrganizationRecord> = {},
  user: Partial<UserRecord> = {},
): Promise<boolean> {
  const org = organizationRecord(organization);
  return store.createOrganizationWithUser(
    org,
    userRecord({ organizationId: org.id, createdAt: org.createdAt, ...user }),
  );
}

/** A fresh task `t1` of `org-1`, in progress with one job; `updatedAt` follows `createdAt`. */
export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  const createdAt = overrides.createdAt ?? FIXTURE_CREATED;
  return {
    id: 't1',
    organizationId: 'org-1',
    type: 'intent_hive',
    name: null,
    status: 'in_progress',
    request: {},
    totalJobs: 1,
    completedJobs: 0,
    failedJobs: 0,
    totalCount: null,
    countsJson: null,
    figuresJson: null,
    error: null,
    createdAt,
    updatedAt: createdAt,
    completedAt: null,
    expiresAt: FIXTURE_EXPIRES,
    ...overrides,
  };
}

/** Queued jobs with these ids, in order: job `seq` reads partition `p<seq>`. */
export function queuedJobs(ids: string[], phase: JobPhase = 'count'): NewJob[] {
  return ids.map((id, seq) => ({ id, phase, seq, partitions: [`p${seq}`], status: 'queued' }));
}

/**
 * A task `id` of `org-1` with `jobs` queued jobs `{id}-j{seq}` of `phase`, job `seq` over partition
 * `p{seq}`: `unloading` for an export's jobs, else `in_progress`.
 */
export function taskWithJobs(
  id: string,
  jobs: number,
  phase: JobPhase = 'count',
  overrides: Partial<TaskRecord> = {},
): [TaskRecord, NewJob[]] {
  return [
    taskRecord({
      id,
      status: phase === 'unload' ? 'unloading' : 'in_progress',
      totalJobs: jobs,
      ...overrides,
    }),
    queuedJobs(
      Array.from({ length: jobs }, (_, seq) => `${id}-j${seq}`),
      phase,
    ),
  ];
}

/** The plan of an intent task over `inputRoot` without `where_expr`, `select` or `limit`. */
export function intentPlan(inputRoot: string): TaskPlan {
  return {
    inputRoot,
    hive: true,
    hiveTypes: { day: 'DATE', prefix: 'VARCHAR', score: 'VARCHAR' },
    whereSql: null,
    columns: null,
    limit: null,
    nestedPartitions: false,
  };
}

/** The ids of job references (what a store hands the queue), in their order. */
export function idsOf(jobs: ReadonlyArray<{ id: string }>): string[] {
  return jobs.map((job) => job.id);
}

/**
 * A lifecycle for store tests, which check how the store applies moves, not the domain's phases: a
 * count ends `counted` (or `completed` when the task exports at once and there is nothing to plan),
 * an export `completed`, and `unload` completes a counted task.
 */
export const holdExport: TaskLifecycle = {
  phaseEnded(task, phase, counts) {
    if (phase === 'unload' || phase === 'manifest') {
      return { status: 'completed', jobs: [], ...(task.countsJson === null ? { counts } : {}) };
    }
    const exportsAtOnce = (task.request as { view?: { perform_unload?: boolean } }).view?.perform_unload;
    return { status: exportsAtOnce ? 'completed' : 'counted', jobs: [], counts };
  },
  unloadRequested(task) {
    return task.status === 'counted' ? { status: 'completed', jobs: [] } : undefined;
  },
  retryRequested(task, phase) {
    if (task.status !== 'failed') return undefined;
    return phase === 'unload' ? 'unloading' : 'in_progress';
  },
};
