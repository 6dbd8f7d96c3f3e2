import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Schedules on a fake clock: the scheduler looks for due slots every 20 ms of real time, and the test
 * moves its clock from slot to slot, so no test waits for a real schedule.
 */
let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefix: string;
let receiver: WebhookReceiver;
let now = new Date('2026-03-27T12:00:00.000Z');

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestServer(
    {
      SCHEDULE_MIN_INTERVAL: '1s',
      AUDIENCE_SNAPSHOTS_KEPT: '2',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_ALLOW_PRIVATE: '1',
    },
    { audiences: { clock: () => new Date(now), tickMs: 20 }, webhooks: { pollMs: 50 } },
  );
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  const hook = await api.post('/api/v1/webhooks', {
    url: `${receiver.url}/runs`,
    events: ['audience.run.completed', 'audience.run.skipped'],
  });
  expect(hook.status).toBe(201);
  prefix = (await intentPrefixes(inject('intentTree')))[0]!;
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** The bodies the webhook received, parsed. */
function events(): Array<{ type: string; data: Record<string, unknown> }> {
  return receiver.received('/runs').map((hook) => JSON.parse(hook.body));
}

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

const definition = () => ({
  topic_id_prefixes: [prefix],
  scores: ['high'],
  days: ['2024-05-01'],
  unique_by: 'person_id',
  output: 'people',
});

describe('an interval schedule', () => {
  it('runs each slot once, catches up once after a gap, skips a slot while a run goes, and pauses', async () => {
    now = new Date('2026-03-27T12:00:00.000Z');
    const created = await api.post('/api/v1/audiences', {
      name: 'hourly',
      kind: 'intent',
      definition: definition(),
      schedule: { every: '1h' },
      delivery: { mode: 'delta' },
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
    now = new Date('2026-03-27T16:40:00.000Z');
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

    // AUDIENCE_SNAPSHOTS_KEPT=2: the first run's members went when the third run started.
    const kept = fs.readdirSync(path.join(t.dataDir, 'snapshots', account.organizationId, id)).sort();
    const withTasks = runs.filter((run: Run) => run.task_id);
    expect(kept).toEqual([withTasks[0].run_id, withTasks[1].run_id].sort());

    // Each ended run and the skipped slot were told to the webhook, with the delta's figures.
    const hooks = await receiver.waitFor('/runs', 4);
    const told = events();
    expect(hooks).toHaveLength(4);
    const completed = told.filter((event) => event.type === 'audience.run.completed');
    expect(completed.map((event) => event.data.run_id).sort()).toEqual(
      runs
        .filter((run: Run) => run.task_id)
        .map((run: Run) => run.run_id)
        .sort(),
    );
    const first = completed.find((event) => event.data.run_id === runs[3].run_id)!;
    expect(first.data).toMatchObject({
      audience_id: id,
      task_id: runs[3].task_id,
      status: 'completed',
      added: runs[3].added,
      removed: 0,
      kept: 0,
      manifest_url: expect.stringContaining(`/api/v1/tasks/${runs[3].task_id}/manifest`),
    });
    expect(runs[3].added).toBeGreaterThan(0);
    expect(told.find((event) => event.type === 'audience.run.skipped')?.data).toEqual({
      audience_id: id,
      run_id: runs[0].run_id,
      scheduled_for: '2026-03-27T17:00:00.000Z',
      reason: runs[0].reason,
    });

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

describe("the audiences' member snapshots", () => {
  it('are no input a task may read, as the exports are not', async () => {
    const reply = await api.post('/api/v1/generic_parquet_tasks', {
      input_path: `${t.dataDir}/snapshots`,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('input_path_forbidden');
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
