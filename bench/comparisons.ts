import fs from 'node:fs';
import path from 'node:path';
import type { AudiencesApi, IntentTaskBody, SavedAudienceBody, TaskRun } from './api.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import { type DeltaSection, DeltaSides, deltaAudienceBody, filesBytes } from './delta-audience.ts';
import type { BenchOptions } from './options.ts';
import {
  countSql,
  exportSql,
  fileColumns,
  jsonlExportSql,
  profileExportSql,
  type RawResult,
  rawQuery,
  smallCountSql,
  totalOf,
} from './raw-duckdb.ts';
import { removeTaskExports } from './service.ts';
import { allPartitions, FILTER, onePartition } from './workload.ts';

/** Every comparison, by key (also what `npm run bench -- --only` may name). */
export const COMPARISON_KEYS = [
  'count',
  'filtered',
  'export',
  'small',
  'csv',
  'jsonl',
  'copy',
  'unload',
  'delta',
  'profile',
] as const;

/** One API-versus-raw comparison: every sample of both sides, in run order. */
export interface Comparison {
  key: (typeof COMPARISON_KEYS)[number];
  title: string;
  apiMs: number[];
  rawMs: number[];
  /** Cores other processes on the machine used during each sample (same order). */
  apiForeign: number[];
  rawForeign: number[];
  /** Further raw variants measured in the same alternation (diagnostics, not targets). */
  variants: Array<{ label: string; ms: number[]; foreign: number[] }>;
  apiRuns: TaskRun[];
  /** Extra API runs by a client polling every `pollMs` (diagnostic: what polling costs). */
  polled: { pollMs: number; runs: TaskRun[] };
  /** What both sides produced, to show they did the same work. */
  apiRows: number;
  rawRows: number;
  /** Bytes of the files the API side's last run exported (exports only). */
  apiBytes?: number;
  /** Partitions whose counts differ between the two sides (counts only). */
  mismatches: number | undefined;
  /** The task's body, or the saved audience's (delta). */
  apiRequest: IntentTaskBody | SavedAudienceBody;
  rawSql: string;
  variantSql: string[];
  /** The delta both sides found and the size of the drops (delta only). */
  delta?: DeltaSection;
}

export interface Side {
  label: string;
  run: () => Promise<number>;
}

/** Comparisons timed to `completed` (exports); the others are timed to `counted`. */
export const EXPORT_KEYS: ReadonlySet<Comparison['key']> = new Set([
  'export',
  'csv',
  'jsonl',
  'copy',
  'unload',
  'delta',
  'profile',
]);

/** Each side's samples, and the cores other processes used during each sample. */
export interface Alternation {
  ms: number[][];
  foreign: number[][];
}

/**
 * Runs each side once to warm up (not recorded), then `pairs` rounds, rotating which side goes
 * first so neither always runs on a warmer machine.
 */
export async function alternate(
  sides: Side[],
  pairs: number,
  cpu: CpuMonitor,
  log: (m: string) => void,
): Promise<Alternation> {
  for (const side of sides) await side.run();
  const result: Alternation = { ms: sides.map(() => []), foreign: sides.map(() => []) };
  for (let round = 0; round < pairs; round++) {
    for (let k = 0; k < sides.length; k++) {
      const index = (round + k) % sides.length;
      const mark = cpu.mark();
      result.ms[index]!.push(await sides[index]!.run());
      result.foreign[index]!.push(cpu.since(mark).foreignCores);
    }
    log(
      `  round ${round + 1}/${pairs}: ${sides.map((s, i) => `${s.label} ${result.ms[i]!.at(-1)!.toFixed(0)} ms`).join(', ')}`,
    );
  }
  return result;
}

/** The samples of an API-versus-raw alternation (API side first), as a comparison reports them. */
function measured(
  sides: Alternation,
  runs: TaskRun[],
  polled: Comparison['polled'],
): Pick<Comparison, 'apiMs' | 'rawMs' | 'apiForeign' | 'rawForeign' | 'variants' | 'apiRuns' | 'polled'> {
  return {
    apiMs: sides.ms[0]!,
    rawMs: sides.ms[1]!,
    apiForeign: sides.foreign[0]!,
    rawForeign: sides.foreign[1]!,
    variants: [],
    // The first run is the warm-up.
    apiRuns: runs.slice(1),
    polled,
  };
}

function partitionKey(row: Record<string, unknown>): string {
  return `day=${String(row.day)}/prefix=${String(row.prefix)}/score=${String(row.score)}`;
}

function countMismatches(api: Record<string, number>, raw: Record<string, unknown>[]): number {
  const rawCounts = new Map(raw.map((row) => [partitionKey(row), Number(row.n)]));
  const keys = new Set([...Object.keys(api).filter((k) => api[k]! > 0), ...rawCounts.keys()]);
  let mismatches = 0;
  for (const key of keys) if ((api[key] ?? 0) !== (rawCounts.get(key) ?? 0)) mismatches += 1;
  return mismatches;
}

export class Comparisons {
  constructor(
    private readonly options: BenchOptions,
    private readonly dataset: Dataset,
    private readonly api: AudiencesApi,
    /** DATA_DIR of the service under test (its exports land in DATA_DIR/exports). */
    private readonly dataDir: string,
    private readonly cpu: CpuMonitor,
  ) {}

  private raw(sql: string, last: { result?: RawResult }) {
    return async () => {
      last.result = await rawQuery(sql, this.options.threads);
      return last.result.ms;
    };
  }

  /**
   * One API run of a task created and followed to `target`: with `pollMs`, by a polling client,
   * else with long polling and the steps its jobs recorded.
   */
  private createAndFollow(body: IntentTaskBody, target: string) {
    return (pollMs?: number) =>
      pollMs === undefined
        ? this.api.withSteps(() => this.api.run(body, target))
        : this.api.run(body, target, pollMs);
  }

  /** The API side of an alternation: each run kept in `runs`, then handed to `after`. */
  private apiSide(run: () => Promise<TaskRun>, runs: TaskRun[], after?: (run: TaskRun) => void) {
    return async () => {
      const done = await run();
      runs.push(done);
      after?.(done);
      return done.totalMs;
    };
  }

  /** The extra runs of a client polling every `pollMs`. */
  private async polled(run: (pollMs: number) => Promise<TaskRun>, after?: (run: TaskRun) => void) {
    const runs: TaskRun[] = [];
    for (let i = 0; i < this.options.pollRuns; i++) {
      const done = await run(this.options.pollMs);
      after?.(done);
      runs.push(done);
    }
    return { pollMs: this.options.pollMs, runs };
  }

  /** The comparison named `key`. */
  measure(key: Comparison['key']): Promise<Comparison> {
    switch (key) {
      case 'count':
        return this.count(false);
      case 'filtered':
        return this.count(true);
      case 'export':
        return this.export();
      case 'small':
        return this.small();
      case 'csv':
      case 'jsonl':
        return this.textExport(key);
      case 'copy':
        return this.copyExport();
      case 'unload':
        return this.unload();
      case 'delta':
        return this.delta();
      case 'profile':
        return this.profileExport();
    }
  }

  /** 1 and 2: counts of every partition, un-filtered or filtered, against one GROUP BY. */
  async count(filtered: boolean): Promise<Comparison> {
    const where = filtered ? FILTER : undefined;
    const body = allPartitions(this.dataset, {
      perform_unload: false,
      ...(where ? { where_expr: where } : {}),
    });
    return this.countComparison(
      filtered ? 'filtered' : 'count',
      filtered ? 'Filtered count' : 'Un-filtered count',
      body,
      countSql(this.dataset.dir, where),
      (counts, rows) => countMismatches(counts, rows),
    );
  }

  /** A task timed to `counted` against one raw count, alternating sides. */
  private async countComparison(
    key: Comparison['key'],
    title: string,
    body: IntentTaskBody,
    sql: string,
    mismatches: (counts: Record<string, number>, rows: RawResult['rows']) => number,
  ): Promise<Comparison> {
    const runs: TaskRun[] = [];
    const last: { result?: RawResult } = {};
    const apiRun = this.createAndFollow(body, 'counted');
    this.options.log(`${title.toLowerCase()}: ${this.options.pairs} pairs`);
    const sides = await alternate(
      [
        { label: 'api', run: this.apiSide(apiRun, runs) },
        { label: 'raw', run: this.raw(sql, last) },
      ],
      this.options.pairs,
      this.cpu,
      this.options.log,
    );
    const final = runs.at(-1)!.detail;
    const polled = await this.polled(apiRun);
    return {
      key,
      title,
      ...measured(sides, runs, polled),
      apiRows: final.total_count ?? Number.NaN,
      rawRows: totalOf(last.result!.rows),
      mismatches: mismatches(final.counts, last.result!.rows),
      apiRequest: body,
      rawSql: sql,
      variantSql: [],
    };
  }

  /** 3: the filtered export, against one partitioned COPY of the same rows. */
  async export(): Promise<Comparison> {
    const columns = await fileColumns(this.dataset.dir, this.options.threads);
    const target = path.join(this.options.scratchDir, 'raw-export');
    // Both sides write snappy, DuckDB's default and the service's (EXPORT_COMPRESSION).
    return this.exportComparison(
      'export',
      'Filtered export',
      allPartitions(this.dataset, { where_expr: FILTER }),
      exportSql(this.dataset.dir, columns, FILTER, target),
      target,
    );
  }

  /** 14 and 15: the filtered export as gzipped CSV or JSON Lines, against DuckDB's COPY to the same format. */
  async textExport(format: 'csv' | 'jsonl'): Promise<Comparison> {
    const columns = await fileColumns(this.dataset.dir, this.options.threads);
    const target = path.join(this.options.scratchDir, `raw-${format}`);
    return this.exportComparison(
      format,
      format === 'csv' ? 'Filtered export as CSV' : 'Filtered export as JSON Lines',
      allPartitions(this.dataset, { where_expr: FILTER, format }),
      format === 'csv'
        ? exportSql(this.dataset.dir, columns, FILTER, target, '', 'csv')
        : jsonlExportSql(this.dataset.dir, columns, FILTER, target),
      target,
    );
  }

  /**
   * 17: the filtered count's segment exported after the count (`POST /api/v1/tasks/{id}/unload`),
   * timed from the unload call to `completed`, against the raw COPY of section 3. The count before
   * each unload is not timed.
   */
  async unload(): Promise<Comparison> {
    const columns = await fileColumns(this.dataset.dir, this.options.threads);
    const target = path.join(this.options.scratchDir, 'raw-unload');
    const body = allPartitions(this.dataset, { where_expr: FILTER, perform_unload: false });
    const unloadRun = async (pollMs?: number): Promise<TaskRun> => {
      const counted = await this.api.run(body, 'counted');
      return this.api.withSteps(async () => {
        const started = performance.now();
        const { ms } = await this.api.unload(counted.taskId);
        return this.api.follow(counted.taskId, 'completed', { started, createMs: ms, pollMs });
      }, counted.detail.total_jobs);
    };
    return this.exportComparison(
      'unload',
      'Export after a count (unload)',
      body,
      exportSql(this.dataset.dir, columns, FILTER, target),
      target,
      unloadRun,
    );
  }

  /**
   * 18: a saved delta audience run after a day arrived (`POST /api/v1/audiences/{id}/runs` timed to
   * `completed`; the base run before it is not timed, see `DeltaAudience.round`), against raw DuckDB
   * writing the same people, members, added and removed. The two sides' figures must agree.
   */
  async delta(): Promise<Comparison> {
    const title = 'Saved audience: a delta run (a day added)';
    const sides = new DeltaSides(this.api, this.dataset, this.options, (taskId) =>
      this.removeExports(taskId),
    );
    const runs: TaskRun[] = [];
    await sides.prepare();
    this.options.log(`${title.toLowerCase()}: ${this.options.exportPairs} rounds`);
    try {
      const alternation = await alternate(
        [
          { label: 'api', run: this.apiSide(sides.apiRun, runs) },
          { label: 'raw', run: sides.rawRun },
        ],
        this.options.exportPairs,
        this.cpu,
        this.options.log,
      );
      const last = runs.at(-1)!;
      const polled = await this.polled(sides.apiRun);
      await sides.deleteAudience();
      const delta = sides.section(last);
      return {
        key: 'delta',
        title,
        ...measured(alternation, runs, polled),
        apiRows: last.detail.files.reduce((sum, file) => sum + file.rows, 0),
        rawRows: delta.raw.added + delta.raw.removed,
        apiBytes: filesBytes(last),
        mismatches: undefined,
        apiRequest: deltaAudienceBody(this.dataset),
        rawSql: sides.raw.sql,
        variantSql: [],
        delta,
      };
    } finally {
      sides.raw.remove();
    }
  }

  /**
   * 20: the people of the whole tree as a Google Customer Match file (`output: "people"`, `profile`),
   * against one raw COPY of the same distinct valid hashes.
   */
  async profileExport(): Promise<Comparison> {
    const target = path.join(this.options.scratchDir, 'raw-profile');
    return this.exportComparison(
      'profile',
      'Activation profile export (Google Customer Match)',
      allPartitions(this.dataset, { output: 'people', profile: 'google_customer_match' }),
      profileExportSql(this.dataset.dir, target),
      target,
    );
  }

  /**
   * 16: the un-filtered export of whole files (days, prefixes and scores only), which the service
   * copies, against DuckDB writing the same rows again as partitioned Parquet.
   */
  async copyExport(): Promise<Comparison> {
    const columns = await fileColumns(this.dataset.dir, this.options.threads);
    const target = path.join(this.options.scratchDir, 'raw-copy');
    return this.exportComparison(
      'copy',
      'Whole-file export (copy)',
      allPartitions(this.dataset),
      exportSql(this.dataset.dir, columns, undefined, target),
      target,
    );
  }

  /** An export timed to `completed` against one raw COPY into `target`, alternating sides. */
  private async exportComparison(
    key: Comparison['key'],
    title: string,
    body: IntentTaskBody,
    sql: string,
    target: string,
    /** One API run (with `pollMs`, by a polling client); by default the task created and followed. */
    apiRun: (pollMs?: number) => Promise<TaskRun> = this.createAndFollow(body, 'completed'),
  ): Promise<Comparison> {
    const runs: TaskRun[] = [];
    let rawRows = 0;
    const rawExport = async () => {
      fs.rmSync(target, { recursive: true, force: true });
      fs.mkdirSync(target, { recursive: true });
      const result = await rawQuery(sql, this.options.threads);
      rawRows = totalOf(result.rows, 'Count');
      fs.rmSync(target, { recursive: true, force: true });
      return result.ms;
    };
    let apiRows = 0;
    let apiBytes = 0;
    const cleanUp = (run: TaskRun) => {
      apiRows = run.detail.files.reduce((sum, file) => sum + file.rows, 0);
      apiBytes = run.detail.files.reduce((sum, file) => sum + file.size_bytes, 0);
      this.removeExports(run.taskId);
    };
    this.options.log(`${title.toLowerCase()}: ${this.options.exportPairs} rounds`);
    const sides = await alternate(
      [
        { label: 'api', run: this.apiSide(apiRun, runs, cleanUp) },
        { label: 'raw', run: rawExport },
      ],
      this.options.exportPairs,
      this.cpu,
      this.options.log,
    );
    const polled = await this.polled(apiRun, cleanUp);
    return {
      key,
      title,
      ...measured(sides, runs, polled),
      apiRows,
      rawRows,
      apiBytes,
      mismatches: undefined,
      apiRequest: body,
      rawSql: sql,
      variantSql: [],
    };
  }

  /** 4: a one-partition count, against a count of that one folder. */
  async small(): Promise<Comparison> {
    const { body, dir, key } = onePartition(this.dataset);
    return this.countComparison(
      'small',
      'Small task (one partition)',
      body,
      smallCountSql(dir),
      (counts, rows) => ((counts[key] ?? 0) === totalOf(rows) ? 0 : 1),
    );
  }

  /** Deletes a task's export folder (DATA_DIR/exports/{organization}/{task}) to keep the disk bounded. */
  removeExports(taskId: string): void {
    removeTaskExports(path.join(this.dataDir, 'exports'), taskId);
  }
}
