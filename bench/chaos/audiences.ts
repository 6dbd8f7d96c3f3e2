import path from 'node:path';
import type { ChaosClient } from './client.ts';
import type { Oracle } from './oracle.ts';
import type { Checks } from './verify.ts';
import type { Organisation, TaskSpec } from './workload.ts';

/** How often each organisation's audience runs: several slots per worker kill's lease. */
export const AUDIENCE_EVERY_MS = 3_000;

/** What the chaos run saw of its scheduled audiences. */
export interface AudienceSummary {
  audiences: number;
  /** Slots from each audience's first to its last, summed. */
  slots: number;
  runs: number;
  completed: number;
  skipped: number;
  /** Slots a catch-up run stood for. */
  missed: number;
  /** Completed runs whose members, added, removed and kept were checked. */
  deltasChecked: number;
  /** Runs that failed as a fault they overlapped allows (a full disk, the object store). */
  allowedFailures: number;
}

interface Audience {
  id: string;
  org: number;
  anchor: number;
  spec: TaskSpec;
}

// biome-ignore lint/suspicious/noExplicitAny: runs and details are loose JSON, checked where used
type Json = any;

const PERSON = 'person_id';

/**
 * One delta audience per organisation, scheduled every 3 s while workers and APIs are killed and
 * Redis is flushed. At the end, every slot from each audience's first to its last must be there once
 * (a run, a skipped slot, or a slot a catch-up run names as missed), every run must have completed,
 * and every delta must equal the set differences of the oracle's people (the data does not change:
 * a baseline adds everyone, every later run adds and removes nobody).
 */
export class ScheduledAudiences {
  private constructor(
    private readonly client: ChaosClient,
    private readonly organisations: readonly Organisation[],
    private readonly audiences: Audience[],
  ) {}

  static async create(options: {
    client: ChaosClient;
    organisations: readonly Organisation[];
    tree: { days: string[]; prefixes: string[] };
    log: (message: string) => void;
  }): Promise<ScheduledAudiences> {
    const { client, organisations, tree } = options;
    const audiences: Audience[] = [];
    for (const [org, organisation] of organisations.entries()) {
      const spec: TaskSpec = {
        days: [tree.days[org % tree.days.length]!],
        prefixes: tree.prefixes.slice(0, 2),
        scores: ['medium', 'high'],
        where: 'intent_score >= 40',
        select: null,
        limit: null,
        performUnload: true,
      };
      const reply = await client.call('POST', '/api/v1/audiences', {
        apiKey: organisation.apiKey,
        headers: { 'idempotency-key': `chaos-audience-${org}` },
        body: {
          name: `chaos ${organisation.label}`,
          kind: 'intent',
          definition: {
            days: spec.days,
            topic_id_prefixes: spec.prefixes,
            scores: spec.scores,
            where_expr: spec.where,
            unique_by: PERSON,
            output: 'people',
          },
          schedule: { every: `${AUDIENCE_EVERY_MS / 1000}s` },
          delivery: { mode: 'delta' },
        },
      });
      if (reply.status !== 201) throw new Error(`audience: ${reply.status} ${JSON.stringify(reply.body)}`);
      audiences.push({ id: reply.body.audience_id, org, anchor: Date.parse(reply.body.created_at), spec });
    }
    options.log(`${audiences.length} delta audiences scheduled every ${AUDIENCE_EVERY_MS / 1000} s`);
    return new ScheduledAudiences(client, organisations, audiences);
  }

  /** Pauses every schedule, so the runs end and no new one starts. */
  async pause(): Promise<void> {
    for (const audience of this.audiences) {
      const reply = await this.client.call('PATCH', `/api/v1/audiences/${audience.id}`, {
        apiKey: this.apiKey(audience),
        body: { paused: true },
      });
      if (reply.status !== 200) throw new Error(`pause: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  }

  /** Every run of every audience, newest first per audience. */
  async runs(): Promise<Map<string, Json[]>> {
    const all = new Map<string, Json[]>();
    for (const audience of this.audiences) {
      const runs: Json[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/api/v1/audiences/${audience.id}/runs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const reply = await this.client.call('GET', query, { apiKey: this.apiKey(audience) });
        if (reply.status !== 200) throw new Error(`runs: ${reply.status} ${JSON.stringify(reply.body)}`);
        runs.push(...reply.body.runs);
        cursor = reply.body.next_cursor;
      } while (cursor);
      all.set(audience.id, runs);
    }
    return all;
  }

  /**
   * The end checks. Answers the ids of the runs' tasks (the task checks leave them to these) and the
   * files they wrote (not stray), with a summary for the report.
   */
  async verify(
    oracle: Oracle,
    outputPath: string,
    /** Task id → organisation id, from the store: a run's files are under its organisation's folder. */
    organizationOf: ReadonlyMap<string, string>,
    checks: Checks,
    /** Whether a failed run's task failed as a fault allows (see faults.ts `allowingFault`). */
    allowedFailure?: (detail: Json) => string | undefined,
  ): Promise<{ taskIds: Set<string>; files: Set<string>; summary: AudienceSummary }> {
    const summary: AudienceSummary = {
      audiences: this.audiences.length,
      slots: 0,
      runs: 0,
      completed: 0,
      skipped: 0,
      missed: 0,
      deltasChecked: 0,
      allowedFailures: 0,
    };
    const taskIds = new Set<string>();
    const files = new Set<string>();
    const all = await this.runs();
    for (const audience of this.audiences) {
      const runs = all.get(audience.id)!;
      const members = await oracle.people(audience.spec, PERSON);
      this.checkSlots(audience, runs, checks, summary);
      // Oldest first: each completed run's base is the completed run before it.
      let previous: Json;
      for (const run of [...runs].reverse()) {
        if (run.status === 'skipped') continue;
        taskIds.add(run.task_id);
        // A run failed by a fault it overlapped (a full disk, the object store) is counted, not lost.
        const allowed =
          run.status === 'failed' && allowedFailure?.(await this.detail(audience, run.task_id)) !== undefined;
        if (allowed) summary.allowedFailures += 1;
        checks.check(
          'every audience run completed',
          run.status === 'completed' || allowed,
          run.task_id,
          () => `run ${run.run_id} of ${audience.id} is ${run.status}: ${run.reason}`,
        );
        if (run.status !== 'completed') continue;
        summary.completed += 1;
        const detail = await this.detail(audience, run.task_id);
        for (const file of detail.files) files.add(file.uri);
        const root = path.join(outputPath, organizationOf.get(run.task_id) ?? '', run.task_id);
        files.add(path.join(root, 'manifest.json')).add(path.join(root, '_SUCCESS'));
        const expected = previous
          ? {
              baseline: 'previous',
              previous_run_id: previous.run_id,
              added: 0,
              removed: 0,
              kept: members.length,
            }
          : { baseline: 'new', previous_run_id: null, added: members.length, removed: 0, kept: 0 };
        const got = {
          baseline: run.baseline,
          previous_run_id: run.previous_run_id,
          added: run.added,
          removed: run.removed,
          kept: run.kept,
        };
        checks.check(
          'every audience delta equals the set differences of an independent DuckDB',
          JSON.stringify(got) === JSON.stringify(expected) && run.people === members.length,
          run.task_id,
          () =>
            `run ${run.run_id}: ${JSON.stringify({ ...got, people: run.people })}, expected ${JSON.stringify({ ...expected, people: members.length })}`,
        );
        if (!previous) {
          const added = detail.files
            .filter((file: Json) => file.partition === 'added')
            .map((file: Json) => file.uri);
          const delivered = await oracle.fileValues(added, PERSON);
          checks.check(
            "a baseline run's added files hold exactly the audience's people",
            JSON.stringify(delivered) === JSON.stringify(members),
            run.task_id,
            () => `${delivered.length} people delivered, ${members.length} expected`,
          );
        }
        summary.deltasChecked += 1;
        previous = run;
      }
    }
    return { taskIds, files, summary };
  }

  /**
   * Every slot from the audience's first (one interval after it was saved) to its last is there
   * once: a run, or a skipped slot, or named as missed by the next run.
   */
  private checkSlots(audience: Audience, runs: Json[], checks: Checks, summary: AudienceSummary): void {
    const slots = runs.map((run) => Date.parse(run.scheduled_for)).sort((a, b) => a - b);
    summary.runs += runs.filter((run) => run.status !== 'skipped').length;
    summary.skipped += runs.filter((run) => run.status === 'skipped').length;
    checks.check(
      'each scheduled slot ran at most once',
      new Set(slots).size === slots.length,
      undefined,
      () => `audience ${audience.id} has ${slots.length - new Set(slots).size} slots twice`,
    );
    if (slots.length === 0) return;
    const bySlot = new Map(runs.map((run) => [Date.parse(run.scheduled_for), run]));
    const lost: string[] = [];
    if (slots[0] !== audience.anchor + AUDIENCE_EVERY_MS)
      lost.push(`first slot ${new Date(slots[0]!).toISOString()}`);
    for (let i = 1; i < slots.length; i += 1) {
      const gap = (slots[i]! - slots[i - 1]!) / AUDIENCE_EVERY_MS;
      const missed = bySlot.get(slots[i]!).missed_slots;
      summary.missed += missed;
      if (gap !== missed + 1)
        lost.push(`${gap - 1 - missed} slots before ${new Date(slots[i]!).toISOString()}`);
    }
    summary.slots += (slots.at(-1)! - slots[0]!) / AUDIENCE_EVERY_MS + 1;
    checks.check(
      'no scheduled slot was lost',
      lost.length === 0,
      undefined,
      () => `audience ${audience.id}: ${lost.join('; ')}`,
    );
  }

  private async detail(audience: Audience, taskId: string): Promise<Json> {
    const reply = await this.client.call('GET', `/api/v1/status/${taskId}`, {
      apiKey: this.apiKey(audience),
    });
    if (reply.status !== 200) throw new Error(`run task ${taskId}: ${reply.status}`);
    return reply.body;
  }

  private apiKey(audience: Audience): string {
    return this.organisations[audience.org]!.apiKey;
  }
}
