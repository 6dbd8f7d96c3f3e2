import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AudienceRecord, AudienceRunRecord, Store } from '../../src/store/store.ts';
import { holdExport, queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';
import { type OpenedStore, STORE_BACKENDS } from './store-backends.ts';

const ORG = 'org-1';
const SLOT = '2026-03-02T06:00:00.000Z';
const NEXT = '2026-03-03T06:00:00.000Z';

function audience(overrides: Partial<AudienceRecord> = {}): AudienceRecord {
  return {
    id: 'aud-1',
    organizationId: ORG,
    name: 'Cloud security',
    kind: 'intent',
    spec: { any: 'shape' },
    version: 1,
    nextRunAt: SLOT,
    baselineFrom: '2026-03-01T00:00:00.000Z',
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:00:00.000Z',
    ...overrides,
  };
}

function run(id: string, overrides: Partial<AudienceRunRecord> = {}): AudienceRunRecord {
  return {
    id,
    audienceId: 'aud-1',
    organizationId: ORG,
    version: 1,
    trigger: 'schedule',
    slot: SLOT,
    taskId: `task-${id}`,
    snapshot: `/snapshots/${id}`,
    details: { days: ['2026-03-01'] },
    createdAt: `2026-03-02T06:00:0${id.length % 10}.000Z`,
    ...overrides,
  };
}

/** What `startAudienceRun` takes for run `id` with its task `task-{id}` (one queued job). */
function start(id: string, overrides: Partial<AudienceRunRecord> = {}, latestRunId: string | null = null) {
  const record = run(id, overrides);
  return {
    organizationId: ORG,
    audienceId: 'aud-1',
    ...(record.slot ? { slot: { due: record.slot, next: NEXT } } : {}),
    latestRunId,
    run: record,
    task: {
      record: taskRecord({
        id: record.taskId!,
        status: 'in_progress',
        createdAt: record.createdAt,
        expiresAt: '2030-01-01T00:00:00.000Z',
      }),
      jobs: queuedJobs([`job-${id}`]),
    },
  };
}

/** Ends the run's task: its one job done, the task `completed` (the store tests' lifecycle). */
async function complete(store: Store, id: string) {
  await store.claimJob(`job-${id}`, { owner: 'w', now: '2026-03-02T07:00:00.000Z', leaseMs: 30_000 });
  await store.completeJob(`job-${id}`, 'w', { counts: { p0: 1 }, files: [] }, '2026-03-02T07:00:01.000Z', {
    ...holdExport,
    phaseEnded: () => ({ status: 'completed', jobs: [], counts: { p0: 1 } }),
  });
}

describe.each(STORE_BACKENDS)('audiences on $name', (backend) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await seedOrganization(store, { id: ORG });
    await seedOrganization(store, { id: 'org-2' }, { id: 'u2', email: 'b@example.com' });
    expect(await store.insertAudience(audience())).toBe(true);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('keeps names unique per organisation, and an audience to its organisation', async () => {
    expect(await store.insertAudience(audience({ id: 'aud-2' }))).toBe(false);
    expect(await store.insertAudience(audience({ id: 'aud-3', organizationId: 'org-2' }))).toBe(true);
    expect(await store.findAudience('org-2', 'aud-1')).toBeUndefined();
    expect(await store.findAudience(ORG, 'aud-1')).toEqual(audience());
    expect((await store.listAudiences(ORG, 10)).map((a) => a.id)).toEqual(['aud-1']);
  });

  it('updates only from the version read, and refuses a name another audience has', async () => {
    await store.insertAudience(
      audience({ id: 'aud-2', name: 'Other', createdAt: '2026-03-01T00:00:01.000Z' }),
    );
    expect(await store.updateAudience(audience({ version: 2, name: 'Renamed' }), 1)).toBe('updated');
    expect(await store.updateAudience(audience({ version: 3 }), 1)).toBe('conflict');
    expect(await store.updateAudience(audience({ version: 3, name: 'Other' }), 2)).toBe('name_taken');
    expect(await store.updateAudience(audience({ id: 'nope' }), 1)).toBe('not_found');
    expect((await store.findAudience(ORG, 'aud-1'))?.name).toBe('Renamed');
    expect((await store.listAudiences(ORG, 10)).map((a) => a.id)).toEqual(['aud-2', 'aud-1']);
  });

  it('starts one run per slot however many processes claim it at once', async () => {
    const outcomes = await Promise.all(
      ['a', 'bb', 'ccc', 'dddd'].map((id) => store.startAudienceRun(start(id))),
    );
    expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'slot_taken')).toHaveLength(3);
    const runs = await store.listAudienceRuns('aud-1', 10);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.task?.status).toBe('in_progress');
    // The claim moved the audience on to its next slot, and the task's job is stored with the run.
    expect((await store.findAudience(ORG, 'aud-1'))?.nextRunAt).toBe(NEXT);
    expect(await store.listJobs(runs[0]!.taskId!)).toHaveLength(1);
  });

  it('records a slot that finds a run still going as skipped, and refuses a manual run then', async () => {
    expect((await store.startAudienceRun(start('a'))).outcome).toBe('started');
    await store.updateAudience({ ...(await store.findAudience(ORG, 'aud-1'))!, nextRunAt: NEXT }, 1);
    const slot = start('bb', { slot: NEXT }, 'a');
    slot.slot = { due: NEXT, next: '2026-03-04T06:00:00.000Z' };
    const skipped = await store.startAudienceRun(slot);
    expect(skipped.outcome).toBe('skipped');
    const manual = await store.startAudienceRun(start('ccc', { slot: null, trigger: 'manual' }, 'a'));
    expect(manual).toEqual({ outcome: 'busy', activeRunId: 'a' });
    const runs = await store.listAudienceRuns('aud-1', 10);
    expect(runs.map((r) => [r.id, r.taskId, r.task?.status ?? null])).toEqual([
      ['bb', null, null],
      ['a', 'task-a', 'in_progress'],
    ]);
    expect((await store.findAudience(ORG, 'aud-1'))?.nextRunAt).toBe('2026-03-04T06:00:00.000Z');
  });

  it('refuses a start planned before another run started (stale), and bases a delta on the newest completed run', async () => {
    expect((await store.startAudienceRun(start('a', { slot: null, trigger: 'manual' }))).outcome).toBe(
      'started',
    );
    await complete(store, 'a');
    const stale = await store.startAudienceRun(start('bb', { slot: null, trigger: 'manual' }, null));
    expect(stale.outcome).toBe('stale');
    expect((await store.startAudienceRun(start('bb', { slot: null, trigger: 'manual' }, 'a'))).outcome).toBe(
      'started',
    );
    // bb still runs: the base is a.
    expect((await store.deltaBase('aud-1', '2026-03-01T00:00:00.000Z'))?.id).toBe('a');
    await complete(store, 'bb');
    expect((await store.deltaBase('aud-1', '2026-03-01T00:00:00.000Z'))?.id).toBe('bb');
    // A resync (the baseline moves past both runs) leaves no base; a forgotten snapshot is none either.
    expect(await store.deltaBase('aud-1', '2026-03-03T00:00:00.000Z')).toBeUndefined();
    await store.setRunSnapshot('bb', null);
    expect((await store.deltaBase('aud-1', '2026-03-01T00:00:00.000Z'))?.id).toBe('a');
    expect((await store.runsWithSnapshots('aud-1')).map((r) => r.id)).toEqual(['a']);
  });

  it('lists due audiences earliest first, and forgets a deleted audience with its runs', async () => {
    await store.insertAudience(audience({ id: 'aud-2', name: 'Later', nextRunAt: NEXT }));
    await store.insertAudience(audience({ id: 'aud-3', name: 'Manual', nextRunAt: null }));
    expect((await store.dueAudiences(NEXT, 10)).map((a) => a.id)).toEqual(['aud-1', 'aud-2']);
    expect((await store.dueAudiences(SLOT, 10)).map((a) => a.id)).toEqual(['aud-1']);
    expect((await store.startAudienceRun(start('a'))).outcome).toBe('started');
    expect(await store.deleteAudience('org-2', 'aud-1')).toBe(false);
    expect(await store.deleteAudience(ORG, 'aud-1')).toBe(true);
    expect(await store.findAudience(ORG, 'aud-1')).toBeUndefined();
    expect(await store.listAudienceRuns('aud-1', 10)).toEqual([]);
    // The run's task stays, and expires as any task.
    expect(await store.findTask(ORG, 'task-a', '2024-06-01T00:00:00.000Z')).toBeDefined();
  });
});
