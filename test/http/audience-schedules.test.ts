import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

/**
 * Schedules on a fake clock: the scheduler looks for due slots every 20 ms of real time, and the test
 * moves its clock from slot to slot, so no test waits for a real schedule.
 */
let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefix: string;
let now = new Date('2026-03-27T12:00:00.000Z');

beforeAll(async () => {
  t = await startTestServer(
    { SCHEDULE_MIN_INTERVAL: '1s' },
    { audiences: { clock: () => new Date(now), tickMs: 20 } },
  );
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  [prefix] = await intentPrefixes(inject('intentTree'));
});
afterAll(async () => t?.close());

const patch = (pathname: string, body: unknown) =>
  call(t.url, 'PATCH', pathname, { body, headers: { 'x-api-key': account.apiKey } });

// biome-ignore lint/suspicious/noExplicitAny: runs are read as loose JSON
type Run = any;

/** The audience's runs once `done` holds for them (the scheduler ticks on its own), newest first. */
async function runsWhen(id: string, done: (runs: Run[]) => boolean): Promise<Run[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const runs: Run[] = (await api.get(`/api/v1/audiences/${id}/runs?limit=100`)).body.runs;
    if (done(runs)) return runs;
    if (Date.now() > deadline) throw new Error(`runs: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for every run with a task to end. */
async function settled(runs: Run[]): Promise<void> {
  for (const run of runs) if (run.task_id) await api.waitFor(run.task_id, ['completed', 'failed']);
}

const definition = () => ({ topic_id_prefixes: [prefix], scores: ['high'], days: ['2024-05-01'] });

describe('an interval schedule', () => {
  it('runs each slot once, catches up once after a gap, skips a slot while a run goes, and pauses', async () => {
    now = new Date('2026-03-27T12:00:00.000Z');
    const created = await api.post('/api/v1/audiences', {
      name: 'hourly',
      kind: 'intent',
      definition: definition(),
      schedule: { every: '1h' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      next_run_at: '2026-03-27T13:00:00.000Z',
      schedule_in_words: 'every 1h',
    });
    const id = created.body.audience_id;

    // Not due yet: nothing runs however often the scheduler looks.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await api.get(`/api/v1/audiences/${id}/runs`)).body.runs).toEqual([]);

    now = new Date('2026-03-27T13:00:00.000Z');
    let runs = await runsWhen(id, (r) => r.length === 1);
    expect(runs[0]).toMatchObject({
      trigger: 'schedule',
      scheduled_for: '2026-03-27T13:00:00.000Z',
      missed_slots: 0,
    });
    await settled(runs);

    // Every process was "down" for three slots: one catch-up run for the latest.
    now = new Date('2026-03-27T16:30:00.000Z');
    runs = await runsWhen(id, (r) => r.length === 2);
    expect(runs[0]).toMatchObject({ scheduled_for: '2026-03-27T16:00:00.000Z', missed_slots: 2 });
    await settled(runs);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await api.get(`/api/v1/audiences/${id}/runs`)).body.runs).toHaveLength(2);
    expect((await api.get(`/api/v1/audiences/${id}`)).body.next_run_at).toBe('2026-03-27T17:00:00.000Z');

    // A run started by hand is still going when the next slot comes: the slot is skipped, not queued.
    const manual = await api.post(`/api/v1/audiences/${id}/runs`);
    expect(manual.status).toBe(202);
    now = new Date('2026-03-27T17:00:00.000Z');
    runs = await runsWhen(id, (r) => r.length === 4);
    expect(runs[0]).toMatchObject({
      status: 'skipped',
      task_id: null,
      scheduled_for: '2026-03-27T17:00:00.000Z',
    });
    expect(runs[0].reason).toContain(manual.body.run_id);
    await settled(runs);

    // Paused: no slot comes; resumed: slots count from then.
    const paused = await patch(`/api/v1/audiences/${id}`, { paused: true });
    expect(paused.body).toMatchObject({ paused: true, next_run_at: null });
    now = new Date('2026-03-27T20:00:00.000Z');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await api.get(`/api/v1/audiences/${id}/runs`)).body.runs).toHaveLength(4);
    const resumed = await patch(`/api/v1/audiences/${id}`, { paused: false });
    expect(resumed.body).toMatchObject({ paused: false, next_run_at: '2026-03-27T21:00:00.000Z' });
  });
});

describe('a cron schedule in a time zone', () => {
  it('runs at 06:00 Berlin time across the change to summer time, reading the days of its slot', async () => {
    now = new Date('2026-03-27T12:00:00.000Z');
    const created = await api.post('/api/v1/audiences', {
      name: 'mornings in Berlin',
      kind: 'intent',
      definition: { topic_id_prefixes: [prefix], scores: ['high'] },
      window: { last_days: 2, until: 'yesterday' },
      timezone: 'Europe/Berlin',
      schedule: { cron: '0 6 * * *' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // 06:00 CET is 05:00 UTC; the window is read at the slot.
    expect(created.body).toMatchObject({
      next_run_at: '2026-03-28T05:00:00.000Z',
      days: ['2026-03-26', '2026-03-27'],
      schedule_in_words: 'daily at 06:00 (Europe/Berlin)',
    });
    const id = created.body.audience_id;
    now = new Date('2026-03-28T05:00:00.000Z');
    let runs = await runsWhen(id, (r) => r.length === 1);
    expect(runs[0]).toMatchObject({
      scheduled_for: '2026-03-28T05:00:00.000Z',
      days: ['2026-03-26', '2026-03-27'],
    });
    await settled(runs);
    // Summer time from 29 March: 06:00 CEST is 04:00 UTC.
    expect((await api.get(`/api/v1/audiences/${id}`)).body.next_run_at).toBe('2026-03-29T04:00:00.000Z');
    now = new Date('2026-03-29T04:00:00.000Z');
    runs = await runsWhen(id, (r) => r.length === 2);
    expect(runs[0]).toMatchObject({
      scheduled_for: '2026-03-29T04:00:00.000Z',
      days: ['2026-03-27', '2026-03-28'],
    });
    await settled(runs);
  });
});
