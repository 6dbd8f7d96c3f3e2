/**
 * Section 18: a saved audience's delta run after a day arrived, against raw DuckDB doing the same
 * work. Both sides compare the people of the tree's newest `days - 1` days with the members of the
 * `days - 1` days before the newest one. The raw side's SQL is written here, not taken from
 * src/engine, so the two sides stay independent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AudienceRunStarted, AudiencesApi, SavedAudienceBody, TaskRun } from './api.ts';
import { type Dataset, holdOutDay } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { rawStatements, treeGlob } from './raw-duckdb.ts';
import { FILTER, SCORES } from './workload.ts';

/** What a run found: its members, who joined since the base, who left. */
export interface DeltaFigures {
  members: number;
  added: number;
  removed: number;
}

/** One API round: the delta run (timed) and the base run before it (not timed). */
export interface DeltaRound {
  run: TaskRun;
  started: AudienceRunStarted;
  base: TaskRun;
  baseStarted: AudienceRunStarted;
}

/** What section 18 adds to a comparison. */
export interface DeltaSection {
  /** The last timed run's delta and its days, and the days of its base run. */
  api: DeltaFigures & { kept: number };
  raw: DeltaFigures;
  days: string[];
  baseDays: string[];
  /** Members of the base run's days: the API's base run, raw DuckDB's `prev.parquet`. */
  baseMembers: { api: number; raw: number };
  /** Bytes of the last base run's files (a baseline: every member of its days, a full drop). */
  fullBytes: number;
}

/** The tree's days, oldest first. */
function daysOf(dataset: Dataset): string[] {
  return [...dataset.days].sort();
}

/** The audience the API side saves: every prefix and score, the bench filter, people by person_id, a delta. */
export function deltaAudienceBody(dataset: Dataset): SavedAudienceBody {
  return {
    name: 'bench: a delta run',
    kind: 'intent',
    definition: {
      topic_id_prefixes: dataset.prefixes,
      scores: SCORES,
      where_expr: FILTER,
      unique_by: 'person_id',
      output: 'people',
    },
    window: { last_days: dataset.days.length - 1, until: 'latest' },
    delivery: { mode: 'delta' },
  };
}

/** The API side: one saved audience, run over all days but the newest, then timed with it. */
export class DeltaAudience {
  private audienceId = '';

  constructor(
    private readonly api: AudiencesApi,
    private readonly dataset: Dataset,
  ) {}

  async save(): Promise<void> {
    this.audienceId = await this.api.saveAudience(deltaAudienceBody(this.dataset));
  }

  /**
   * One round. Not timed: a resync, the newest day moved out of the tree, a run (a baseline over
   * the other days) followed to `completed`, the day put back. Timed (with `pollMs`, by a polling
   * client): a run, its window now moved by the day, followed to `completed`, with the steps its
   * jobs recorded.
   */
  async round(pollMs?: number): Promise<DeltaRound> {
    await this.api.resyncAudience(this.audienceId);
    const restore = holdOutDay(this.dataset, daysOf(this.dataset).at(-1)!);
    let base: Awaited<ReturnType<DeltaAudience['runOnce']>>;
    try {
      // With its steps read too, so that none of its jobs' figures land in the timed run's.
      base = await this.runOnce();
    } finally {
      restore();
    }
    const timed = await this.runOnce(pollMs);
    const round = { ...timed, base: base.run, baseStarted: base.started };
    checkRound(round, this.dataset);
    return round;
  }

  /**
   * Runs the audience now and follows its task to `completed`: with `pollMs` by a polling client,
   * else with long polling and the steps its jobs recorded.
   */
  private async runOnce(pollMs?: number): Promise<{ started: AudienceRunStarted; run: TaskRun }> {
    let started: AudienceRunStarted | undefined;
    const follow = async () => {
      const done = await this.api.runAudience(this.audienceId, pollMs);
      started = done.started;
      return done.run;
    };
    const run = pollMs === undefined ? await this.api.withSteps(follow) : await follow();
    return { started: started!, run };
  }

  async delete(): Promise<void> {
    await this.api.deleteAudience(this.audienceId);
  }
}

/**
 * Both sides of section 18 and what they found: after every run of either side, the last API
 * run's delta and its base run's members must equal raw DuckDB's, or the section fails.
 */
export class DeltaSides {
  readonly raw: RawDelta;
  private readonly audience: DeltaAudience;
  private readonly rounds: DeltaRound[] = [];
  private rawFigures: DeltaFigures | undefined;
  private rawBase = 0;

  constructor(
    api: AudiencesApi,
    dataset: Dataset,
    options: Pick<BenchOptions, 'scratchDir' | 'threads'>,
    /** Deletes a task's export folder. */
    private readonly removeExports: (taskId: string) => void,
  ) {
    this.audience = new DeltaAudience(api, dataset);
    const dir = path.join(options.scratchDir, 'raw-delta');
    this.raw = new RawDelta(dataset.dir, dataset.days, dir, options.threads);
  }

  /** Not timed: raw DuckDB's `prev.parquet`, and the audience saved. */
  async prepare(): Promise<void> {
    this.rawBase = await this.raw.prepare();
    await this.audience.save();
  }

  /** One API round (see `DeltaAudience.round`): its timed run, both runs' files removed. */
  readonly apiRun = async (pollMs?: number): Promise<TaskRun> => {
    const round = await this.audience.round(pollMs);
    this.rounds.push(round);
    this.check();
    this.removeExports(round.base.taskId);
    this.removeExports(round.run.taskId);
    return round.run;
  };

  /** One raw round's milliseconds. */
  readonly rawRun = async (): Promise<number> => {
    const round = await this.raw.round();
    this.rawFigures = round.figures;
    this.check();
    return round.ms;
  };

  private check(): void {
    const last = this.rounds.at(-1);
    if (!last || !this.rawFigures) return;
    expectSameDelta(apiDelta(last.run), this.rawFigures, `the figures of run ${last.run.taskId}`);
    const members = apiDelta(last.base).members;
    if (members !== this.rawBase) {
      throw new Error(`delta: the base days' members differ: API ${members}, raw DuckDB ${this.rawBase}`);
    }
  }

  /** What the report shows of the round whose timed run is `run`. */
  section(run: TaskRun): DeltaSection {
    const round = this.rounds.find((r) => r.run === run);
    if (!round || !this.rawFigures) throw new Error('delta: no round of both sides');
    return {
      api: apiDelta(round.run),
      raw: this.rawFigures,
      days: round.started.days ?? [],
      baseDays: round.baseStarted.days ?? [],
      baseMembers: { api: apiDelta(round.base).members, raw: this.rawBase },
      fullBytes: filesBytes(round.base),
    };
  }

  /** Deletes the audience with its runs' snapshots (a section measured again saves it anew). */
  deleteAudience(): Promise<void> {
    return this.audience.delete();
  }
}

/** The API's own figures hold together: a baseline, then a delta against it over the moved window. */
function checkRound(round: DeltaRound, dataset: Dataset): void {
  const days = daysOf(dataset);
  const base = round.base.detail.delta;
  const delta = round.run.detail.delta;
  const rows = (run: TaskRun, partition: string) =>
    run.detail.files.filter((file) => file.partition === partition).reduce((sum, file) => sum + file.rows, 0);
  const problems = [
    round.baseStarted.baseline === 'new' && base?.baseline === 'new' && base.added === base.members
      ? ''
      : `the base run is not a baseline: ${JSON.stringify(base)}`,
    round.started.baseline === 'previous' && round.started.previous_run_id === round.baseStarted.run_id
      ? ''
      : `the timed run is not against the base run: ${JSON.stringify(round.started)}`,
    sameList(round.baseStarted.days, days.slice(0, -1)) && sameList(round.started.days, days.slice(1))
      ? ''
      : `days: base ${JSON.stringify(round.baseStarted.days)}, timed ${JSON.stringify(round.started.days)}`,
    delta && rows(round.run, 'added') === delta.added && rows(round.run, 'removed') === delta.removed
      ? ''
      : `the files do not hold the delta: ${JSON.stringify(delta)}, files ${JSON.stringify(round.run.detail.files)}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`delta run ${round.run.taskId}: ${problems.join('; ')}`);
}

function sameList(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((value, i) => value === b[i]);
}

/** The delta figures of an API run (members, added, removed, kept). */
function apiDelta(run: TaskRun): DeltaFigures & { kept: number } {
  const delta = run.detail.delta;
  if (!delta) throw new Error(`task ${run.taskId} has no delta`);
  return { members: delta.members, added: delta.added, removed: delta.removed, kept: delta.kept };
}

/** Bytes of a run's files. */
export function filesBytes(run: TaskRun): number {
  return run.detail.files.reduce((sum, file) => sum + file.size_bytes, 0);
}

/** Fails the section when the two sides' delta figures differ. */
function expectSameDelta(api: DeltaFigures, raw: DeltaFigures, what: string): void {
  if (api.members !== raw.members || api.added !== raw.added || api.removed !== raw.removed) {
    throw new Error(
      `delta: ${what} differ: API members ${api.members}, added ${api.added}, removed ${api.removed}; ` +
        `raw DuckDB members ${raw.members}, added ${raw.added}, removed ${raw.removed}`,
    );
  }
}

/** A string literal of SQL. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The rows of the tree's days `first` … `last` that the bench filter keeps, with a person. */
function segment(tree: string, first: string, last: string): string {
  return `FROM ${treeGlob(tree)} WHERE day BETWEEN ${literal(first)} AND ${literal(last)} AND (${FILTER}) AND person_id IS NOT NULL`;
}

const SCORE_ORDER = "['low', 'medium', 'high']";

/**
 * One row per person of the segment, as the service's people export of intent data writes it: the
 * person, `hem_sha256` of the person's latest row, the topics and prefixes (sorted lists), the best
 * intent score and score, the days seen, and the earliest and latest `last_seen`.
 */
function rawPeopleSql(tree: string, first: string, last: string): string {
  return (
    'SELECT person_id, arg_max(hem_sha256, last_seen) AS hem_sha256, ' +
    'list(DISTINCT topic_id ORDER BY topic_id) AS topic_ids, list(DISTINCT prefix ORDER BY prefix) AS prefixes, ' +
    `max(intent_score) AS max_intent_score, ${SCORE_ORDER}[max(list_position(${SCORE_ORDER}, score))] AS best_score, ` +
    'count(DISTINCT day) AS days_seen, min(last_seen) AS first_seen, max(last_seen) AS last_seen ' +
    `${segment(tree, first, last)} GROUP BY person_id`
  );
}

/**
 * The raw side: once, the members of the base days written to `prev.parquet`; each round, in one
 * fresh DuckDB, the people of the moved window into a temp table, its members to `current.parquet`,
 * the people rows of members not in `prev` (`added`) and the members of `prev` not in `current`
 * (`removed`) to snappy Parquet.
 */
export class RawDelta {
  private readonly prev: string;
  private readonly out: string;
  readonly prepareSql: string;
  readonly roundSql: string[];

  constructor(
    tree: string,
    days: readonly string[],
    private readonly dir: string,
    private readonly threads: number,
  ) {
    const sorted = [...days].sort();
    this.prev = path.join(dir, 'prev.parquet');
    this.out = path.join(dir, 'round');
    const file = (name: string) => literal(path.join(this.out, `${name}.parquet`));
    const prev = `read_parquet(${literal(this.prev)})`;
    this.prepareSql =
      `COPY (SELECT DISTINCT person_id ${segment(tree, sorted[0]!, sorted.at(-2)!)} ORDER BY person_id) ` +
      `TO ${literal(this.prev)} (FORMAT parquet, COMPRESSION zstd)`;
    this.roundSql = [
      `CREATE TEMP TABLE people AS ${rawPeopleSql(tree, sorted[1]!, sorted.at(-1)!)}`,
      `COPY (SELECT person_id FROM people ORDER BY person_id) TO ${file('current')} (FORMAT parquet, COMPRESSION zstd)`,
      `COPY (SELECT p.* FROM people AS p ANTI JOIN ${prev} AS r ON p.person_id = r.person_id) TO ${file('added')} ` +
        '(FORMAT parquet, COMPRESSION snappy)',
      `COPY (SELECT r.person_id FROM ${prev} AS r ANTI JOIN read_parquet(${file('current')}) AS c ON r.person_id = c.person_id ` +
        `ORDER BY 1) TO ${file('removed')} (FORMAT parquet, COMPRESSION snappy)`,
    ];
  }

  /** The SQL of both steps, as the report shows it. */
  get sql(): string {
    return [
      '-- once, before the rounds (not timed):',
      `${this.prepareSql};`,
      '-- each round (timed), in one fresh instance:',
      ...this.roundSql.map((sql) => `${sql};`),
    ].join('\n');
  }

  /** Writes `prev.parquet` and answers how many members it holds. */
  async prepare(): Promise<number> {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
    const { results } = await rawStatements([this.prepareSql], this.threads);
    return Number(results[0]![0]!.Count);
  }

  /** One timed round; its files are removed after. */
  async round(): Promise<{ ms: number; figures: DeltaFigures }> {
    fs.rmSync(this.out, { recursive: true, force: true });
    fs.mkdirSync(this.out, { recursive: true });
    const { ms, results } = await rawStatements(this.roundSql, this.threads);
    fs.rmSync(this.out, { recursive: true, force: true });
    const count = (i: number) => Number(results[i]![0]!.Count);
    return { ms, figures: { members: count(1), added: count(2), removed: count(3) } };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
