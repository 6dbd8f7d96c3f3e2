import { AudiencesApi, type IntentTaskBody, type TaskRun } from './api.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { rawQuery, smallCountSql, totalOf } from './raw-duckdb.ts';
import { removeTaskExports } from './service.ts';
import { sleep } from './stats.ts';
import { allPartitionsWritten, FILTER, onePartition } from './workload.ts';

/** One of B's counts, taken while A's exports ran. */
export interface FairnessSample {
  /** B's create sent → the status read showing `counted` received. */
  ms: number;
  /** Server's own clock: `updated_at` − `created_at`. */
  serverMs: number;
  /** Cores other processes used during the sample. */
  foreign: number;
  /**
   * Share of B's task's life (server clock: `created_at` to `updated_at` at `counted`) during which
   * at least one of A's exports existed and was not yet completed (its `created_at` to
   * `completed_at`): 1 means A's exports ran or waited throughout.
   */
  aCover: number;
  /** A's exports whose life overlapped B's task's. */
  aOverlapping: number;
  /** A's exports still `unloading` right after B's count was counted (read from the API), jobs done / total each. */
  aUnloading: Array<{ completed: number; total: number }>;
}

/** Milliseconds on the server's clock from a task detail's timestamps. */
type Interval = [start: number, end: number];

/** Share of `b` covered by the union of `a` (a single instant counts as covered when inside one). */
export function coverage(b: Interval, a: readonly Interval[]): number {
  const [start, end] = b;
  const overlapping = a.filter(([s, e]) => s <= end && e >= start).sort((x, y) => x[0] - y[0]);
  if (end <= start) return overlapping.length > 0 ? 1 : 0;
  let covered = 0;
  let cursor = start;
  for (const [s, e] of overlapping) {
    const from = Math.max(s, cursor);
    const to = Math.min(e, end);
    if (to > from) {
      covered += to - from;
      cursor = to;
    }
  }
  return covered / (end - start);
}

/** Section 8, one mode: B's one-partition count on an idle service and while A exports. */
export interface FairnessResult {
  mode: 'embedded' | 'scaled out';
  /** The processes and settings measured, as the report states them. */
  setup: string;
  aRequest: IntentTaskBody;
  bRequest: IntentTaskBody;
  /** A's exports kept in flight. */
  aParallel: number;
  /** Pause between B's samples under load. */
  gapMs: number;
  /** B's samples on the idle service (after one warm-up), ms. */
  idleMs: number[];
  idleForeign: number[];
  samples: FairnessSample[];
  /** From A's first create to B's first sample under load. */
  loadLeadMs: number;
  /** B's count of its partition (the last sample) and raw DuckDB's count of the same rows. */
  bCount: number;
  rawCount: number;
  /** A's exports: how many A created, and of the finished ones their time, rows and jobs. */
  aExports: { created: number; ms: number[]; rows: number[]; jobs: number[] };
}

/**
 * Organisation A's load: `parallel` full exports in flight, each replaced by a new one the moment
 * it completes, until stopped; so A has exports running or queued during all of B's samples.
 */
class ExportLoad {
  readonly inFlight = new Set<string>();
  readonly finished: TaskRun[] = [];
  created = 0;
  error: unknown;
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly api: AudiencesApi,
    private readonly body: IntentTaskBody,
    private readonly outputDir: string,
  ) {}

  start(parallel: number): void {
    for (let i = 0; i < parallel; i++) {
      this.loops.push(
        this.loop().catch((error: unknown) => {
          this.error ??= error;
        }),
      );
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const started = performance.now();
      const { taskId, ms } = await this.api.create(this.body);
      this.created += 1;
      this.inFlight.add(taskId);
      const run = await this.api.follow(taskId, 'completed', { started, createMs: ms });
      this.inFlight.delete(taskId);
      this.finished.push(run);
      removeTaskExports(this.outputDir, taskId);
    }
  }

  /** Creates no more exports and waits for those in flight to complete. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    if (this.error) throw this.error;
  }
}

/**
 * 8: organisation A (an account of its own) keeps `exports` un-filtered exports of the whole tree
 * in flight; once they run, organisation B (a second account) creates a one-partition filtered
 * count and waits for `counted` with long polling, `samples` times one after another. The same
 * count on the idle service before is the reference.
 */
export async function measureFairness(
  options: BenchOptions,
  dataset: Dataset,
  cpu: CpuMonitor,
  service: { mode: FairnessResult['mode']; setup: string; url: string; outputDir: string },
): Promise<FairnessResult> {
  const { samples, exports, gapMs } = options.fairness;
  const a = new AudiencesApi(service.url);
  const b = new AudiencesApi(service.url);
  try {
    await a.signUp(`fair-a-${service.mode.replace(' ', '-')}`);
    await b.signUp(`fair-b-${service.mode.replace(' ', '-')}`);
    const small = onePartition(dataset);
    const bRequest: IntentTaskBody = { ...small.body, where_expr: FILTER };
    const aRequest = allPartitionsWritten(dataset);
    const rawCount = totalOf((await rawQuery(smallCountSql(small.dir, FILTER), options.threads)).rows);
    let last: TaskRun | undefined;
    const count = async () => {
      const mark = cpu.mark();
      last = await b.run(bRequest, 'counted');
      const counted = last.detail.counts[small.key] ?? 0;
      if (counted !== rawCount) {
        throw new Error(`B's count of ${small.key} is ${counted}, raw DuckDB counts ${rawCount}`);
      }
      return { run: last, foreign: cpu.since(mark).foreignCores };
    };

    options.log(`fairness (${service.mode}): B's one-partition count on the idle service`);
    await count();
    const idleMs: number[] = [];
    const idleForeign: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { run, foreign } = await count();
      idleMs.push(run.totalMs);
      idleForeign.push(foreign);
    }

    const load = new ExportLoad(a, aRequest, service.outputDir);
    const loadStarted = performance.now();
    load.start(exports);
    // A's exports are running: both created, `unloading`, and given a second to start their jobs.
    while (load.created < exports && !load.error) await sleep(10);
    for (const id of load.inFlight) {
      const { detail } = await a.status(id);
      if (detail?.status !== 'unloading' && detail?.status !== 'completed') {
        throw new Error(`A's export ${id} is ${detail?.status}, not unloading`);
      }
    }
    await sleep(1000);
    const loadLeadMs = performance.now() - loadStarted;
    options.log(`fairness (${service.mode}): ${samples} samples while A keeps ${exports} exports running`);
    const measured: Array<Omit<FairnessSample, 'aCover' | 'aOverlapping'> & { life: Interval }> = [];
    try {
      for (let i = 0; i < samples; i++) {
        if (i > 0 && gapMs > 0) await sleep(gapMs);
        if (load.error) throw load.error;
        const { run, foreign } = await count();
        const states = await Promise.all([...load.inFlight].map(async (id) => (await a.status(id)).detail));
        const aUnloading = states
          .filter((d) => d?.status === 'unloading')
          .map((d) => ({ completed: d!.completed_jobs, total: d!.total_jobs }));
        const life: Interval = [Date.parse(run.detail.created_at), Date.parse(run.detail.updated_at)];
        measured.push({ ms: run.totalMs, serverMs: run.serverMs, foreign, aUnloading, life });
        options.log(
          `  B ${run.totalMs.toFixed(0)} ms; A unloading after it: ${aUnloading.map((p) => `${p.completed}/${p.total} jobs`).join(', ') || 'none'}`,
        );
      }
    } finally {
      options.log(`fairness (${service.mode}): waiting for A's ${load.inFlight.size} exports in flight`);
      await load.stop();
    }
    // Every export of A has completed now, so their lives are known.
    const aLives = load.finished.map(
      (r): Interval => [
        Date.parse(r.detail.created_at),
        Date.parse(r.detail.completed_at ?? r.detail.updated_at),
      ],
    );
    return {
      mode: service.mode,
      setup: service.setup,
      aRequest,
      bRequest,
      aParallel: exports,
      gapMs,
      idleMs,
      idleForeign,
      samples: measured.map(({ life, ...sample }) => ({
        ...sample,
        aCover: coverage(life, aLives),
        aOverlapping: aLives.filter(([s, e]) => s <= life[1] && e >= life[0]).length,
      })),
      loadLeadMs,
      bCount: last?.detail.counts[small.key] ?? Number.NaN,
      rawCount,
      aExports: {
        created: load.created,
        ms: load.finished.map((r) => r.totalMs),
        rows: load.finished.map((r) => r.detail.files.reduce((sum, file) => sum + file.rows, 0)),
        jobs: load.finished.map((r) => r.detail.total_jobs),
      },
    };
  } finally {
    a.close();
    b.close();
  }
}
