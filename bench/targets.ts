import { CANCEL_TARGET_MS } from './cancel.ts';
import { CLI_TARGET_MS, countOverheadMs, helpOverheadMs } from './cli-start.ts';
import type { Comparison } from './comparisons.ts';
import type { EstimateResult } from './estimate.ts';
import type { FairnessResult, FairnessSample } from './fairness.ts';
import { exponent } from './growth.ts';
import { objectCountRow } from './object-count.ts';
import { PREVIEW_ROWS, PREVIEW_TARGET_MS } from './preview.ts';
import type { BenchResults } from './results.ts';
import type { ScaledExportResult } from './scaled-export.ts';
import { mb, median, ms, ratio } from './stats.ts';
import { TOPIC_SEARCH_TARGET_MS, topicsMatch } from './topic-search.ts';
import { UNIQUE_TARGET_RATIO, uniqueMatches } from './unique.ts';

export interface TargetRow {
  target: string;
  goal: string;
  measured: string;
  met: boolean;
}

export function comparisonRatio(comparison: Comparison): number {
  return median(comparison.apiMs) / median(comparison.rawMs);
}

/** A's exports ran or waited throughout B's sample. */
export function aRunning(sample: FairnessSample): boolean {
  return sample.aCover >= 1;
}

function fairnessRow(f: FairnessResult): TargetRow {
  const busy = f.samples.map((s) => s.ms);
  const running = f.samples.filter(aRunning).length;
  const worst = Math.max(...busy);
  return {
    target: `B's one-partition count while A exports (${f.mode})`,
    goal: "< 1 s, median and max, with A's exports running or queued throughout every sample",
    measured: `median ${ms(median(busy))}, max ${ms(worst)} (idle: median ${ms(median(f.idleMs))}); A's exports throughout ${running} of ${f.samples.length} samples`,
    met: median(busy) < 1000 && worst < 1000 && running === f.samples.length,
  };
}

/** The estimate's answer matches raw DuckDB's footers: as many files, as many rows. */
export function estimateMatches(estimate: EstimateResult): boolean {
  return estimate.answer.files === estimate.rawFiles && estimate.answer.rows === estimate.rawRows;
}

function uniqueRow(results: BenchResults, rows: string): TargetRow {
  const u = results.unique;
  const value = median(u.apiMs) / median(u.rawMs);
  const same = uniqueMatches(u);
  return {
    target: `unique people: filtered count with unique_by (${rows})`,
    goal: `API / raw count(DISTINCT) ≤ ${UNIQUE_TARGET_RATIO}, same figures`,
    measured: `${ratio(value)} (${ms(median(u.apiMs))} / ${ms(median(u.rawMs))}); figures ${same ? 'equal' : 'DIFFERENT'}`,
    met: value <= UNIQUE_TARGET_RATIO && same,
  };
}

function cancelRow(results: BenchResults, rows: string): TargetRow {
  const c = results.cancel;
  const worst = c.freeMs.length > 0 ? Math.max(...c.freeMs) : Number.NaN;
  return {
    target: `cancel in the middle of an export (${rows})`,
    goal: `every running job stopped ≤ ${ms(CANCEL_TARGET_MS)} after the call, no file left`,
    measured:
      c.freeMs.length > 0
        ? `${ms(median(c.freeMs))} median, ${ms(worst)} max; ${c.filesLeft} files left`
        : 'not measured (no export still running when cancelled)',
    met: worst <= CANCEL_TARGET_MS && c.filesLeft === 0,
  };
}

function topicSearchRow(results: BenchResults): TargetRow {
  const t = results.topicSearch;
  const value = median(t.searchMs);
  return {
    target: 'topic search by name (the newest week indexed)',
    goal: `≤ ${ms(TOPIC_SEARCH_TARGET_MS)} (median), topics equal to DuckDB's`,
    measured: `${ms(value)} (first search, indexing the week: ${ms(t.firstMs)}); topics ${topicsMatch(t) ? 'equal' : 'DIFFERENT'}`,
    met: value <= TOPIC_SEARCH_TARGET_MS && topicsMatch(t),
  };
}

function cliRows(results: BenchResults): TargetRow[] {
  const help = helpOverheadMs(results.cli);
  const count = countOverheadMs(results.cli);
  return [
    {
      target: 'command line start: `audiences --help`',
      goal: `≤ ${CLI_TARGET_MS} ms over bare \`node -e 0\` (medians)`,
      measured: `${ms(help)} (${ms(median(results.cli.helpMs))} against ${ms(median(results.cli.nodeMs))})`,
      met: help <= CLI_TARGET_MS,
    },
    {
      target: 'command line overhead on a count: `audiences count --json`',
      goal: `≤ ${CLI_TARGET_MS} ms over the same count made with the client in one process (medians)`,
      measured: `${ms(count)} (${ms(median(results.cli.countMs))} against ${ms(median(results.cli.clientMs))})`,
      met: count <= CLI_TARGET_MS,
    },
  ];
}

function estimateRow(results: BenchResults, rows: string): TargetRow {
  const e = results.estimate;
  const value = median(e.apiMs);
  const same = estimateMatches(e);
  return {
    target: `estimate of the whole tree (${rows}, ${e.answer.files} files)`,
    goal: '≤ 50 ms (median), same files and rows as the footers',
    measured: `${ms(value)} (raw DuckDB ${ms(median(e.rawMs))}; first, footers not cached: ${ms(e.coldMs)}); files and rows ${same ? 'equal' : 'DIFFERENT'}`,
    met: value <= 50 && same,
  };
}

/** Median scaled-out time over median embedded time, for the side at `index` (1: the judged one). */
export function scaledRatio(result: ScaledExportResult, index = 1): number {
  return median(result.sides[index]!.ms) / median(result.sides[0]!.ms);
}

/** Every measured run of every side exported as many rows as the embedded service's first. */
export function scaledRowsEqual(result: ScaledExportResult): boolean {
  const expected = result.sides[0]!.rows[0];
  return result.sides.every((side) => side.rows.every((rows) => rows === expected));
}

function scaledRow(result: ScaledExportResult, rows: string): TargetRow {
  const value = scaledRatio(result);
  const side = result.sides[1]!;
  const equal = scaledRowsEqual(result);
  return {
    target: `filtered export scaled out (${rows}, 1 serve + ${side.jobsPerWorker?.length ?? 2} workers)`,
    goal: 'scaled out / embedded ≤ 1.15, same rows',
    measured: `${ratio(value)} (${ms(median(side.ms))} / ${ms(median(result.sides[0]!.ms))}; ${side.label.replace('scaled out, ', '')}); rows ${equal ? 'equal' : 'DIFFERENT'}`,
    met: value <= 1.15 && equal,
  };
}

function byKey(results: BenchResults, key: Comparison['key']): Comparison {
  const found = [...results.comparisons, ...results.formatExports, results.profileExport].find(
    (c) => c.key === key,
  );
  if (!found) throw new Error(`missing comparison ${key}`);
  return found;
}

/** The bound of the core operations (filtered count, filtered export, unload): API / raw. */
export const CORE_RATIO = 1.1;

/** The issue's targets, each with the figure measured and whether it is met. */
export function evaluateTargets(results: BenchResults): TargetRow[] {
  const rows = `${(results.dataset.rows / 1e6).toFixed(results.dataset.rows < 1e6 ? 1 : 0)}M rows`;
  const ratioRow = (key: Comparison['key'], target: string, limit: number): TargetRow => {
    const value = comparisonRatio(byKey(results, key));
    return { target, goal: `API / raw ≤ ${limit}`, measured: ratio(value), met: value <= limit };
  };
  const t = results.throughput;
  const apiRps = median(t.api.map((r) => r.requestsPerSec));
  const bareRps = median(t.bare.map((r) => r.requestsPerSec));
  const p99 = Math.max(...t.api.map((r) => r.p99Ms));
  const largest = results.growth.at(-1)!;
  const createMs = median(largest.createMs);
  const readMs = median(largest.readMs);
  const m = results.memory;
  const memoryGoal = m.limitBytes + 300e6;
  return [
    ratioRow('filtered', `filtered count (${rows})`, CORE_RATIO),
    ratioRow('export', `filtered export (${rows})`, CORE_RATIO),
    ratioRow('unload', `export after a count (unload, ${rows})`, CORE_RATIO),
    ratioRow('count', `un-filtered count (${rows})`, 1.5),
    ratioRow('small', 'small task latency (one partition)', 3),
    previewRow(results, rows),
    {
      target: `status reads (${t.connections} connections, ${t.partitions.toLocaleString('en-US')}-partition task)`,
      goal: '≥ 0.5 of bare Fastify requests/s, p99 ≤ 20 ms',
      measured:
        `${(apiRps / bareRps).toFixed(2)} of bare (${apiRps.toFixed(0)} / ${bareRps.toFixed(0)} req/s), p99 ${ms(p99)} (bare: ${ms(Math.max(...t.bare.map((r) => r.p99Ms)))})` +
        (t.apiGzip.length > 0
          ? `; gzip-accepting clients: ${median(t.apiGzip.map((r) => r.requestsPerSec)).toFixed(0)} req/s, p99 ${ms(Math.max(...t.apiGzip.map((r) => r.p99Ms)))}`
          : ''),
      met: apiRps / bareRps >= 0.5 && p99 <= 20,
    },
    {
      target: `${largest.partitions.toLocaleString('en-US')}-partition task${largest.partitions < 10_000 ? ' (tiny mode: largest size run)' : ''}`,
      goal: 'create ≤ 100 ms and status read ≤ 50 ms',
      measured: `create ${ms(createMs)}, status read ${ms(readMs)}`,
      met: createMs <= 100 && readMs <= 50,
    },
    {
      target: `export memory (all ${rows}, DUCKDB_MEMORY_LIMIT=${m.memoryLimit})`,
      goal: `peak RSS ≤ ${m.memoryLimit} + 300 MB = ${mb(memoryGoal)}`,
      measured: `peak RSS ${mb(m.peakHwm)}`,
      met: m.peakHwm <= memoryGoal,
    },
    estimateRow(results, rows),
    uniqueRow(results, rows),
    cancelRow(results, rows),
    ...cliRows(results),
    ratioRow('csv', `filtered export as CSV, gzip (${rows})`, 1.15),
    ratioRow('jsonl', `filtered export as JSON Lines, gzip (${rows})`, 1.15),
    copyRow(results, rows),
    deltaRow(results, rows),
    ratioRow('profile', `people as a Google Customer Match file (${rows})`, 1.2),
    topicSearchRow(results),
    objectCountRow(results.objectCount),
    ...results.fairness.map(fairnessRow),
    scaledRow(results.scaledExport, rows),
  ];
}

/** The issue's bound: an export of whole files copies them at least 5× faster than DuckDB writes them. */
export const COPY_TARGET_SPEEDUP = 5;

function copyRow(results: BenchResults, rows: string): TargetRow {
  const c = byKey(results, 'copy');
  const speedup = median(c.rawMs) / median(c.apiMs);
  const same = c.apiRows === c.rawRows && c.apiBytes === results.dataset.bytes;
  return {
    target: `export of whole files, un-filtered (${rows})`,
    goal: `≥ ${COPY_TARGET_SPEEDUP}× faster than a raw DuckDB COPY of the same rows; same rows, the files' own bytes`,
    measured: `${speedup.toFixed(1)}× (${ms(median(c.apiMs))} / ${ms(median(c.rawMs))}); rows ${c.apiRows === c.rawRows ? 'equal' : 'DIFFERENT'}, bytes ${c.apiBytes === results.dataset.bytes ? 'equal' : 'DIFFERENT'}`,
    met: speedup >= COPY_TARGET_SPEEDUP && same,
  };
}

/** The bound of a saved audience's delta run: API / raw. */
export const DELTA_RATIO = 1.2;

/** Both sides of the delta comparison found the same members, added, removed and base members. */
export function deltaMatches(c: Comparison): boolean {
  const d = c.delta;
  return (
    d !== undefined &&
    d.api.members === d.raw.members &&
    d.api.added === d.raw.added &&
    d.api.removed === d.raw.removed &&
    d.baseMembers.api === d.baseMembers.raw
  );
}

function deltaRow(results: BenchResults, rows: string): TargetRow {
  const c = byKey(results, 'delta');
  const value = comparisonRatio(c);
  const same = deltaMatches(c);
  const drop = (c.apiBytes ?? Number.NaN) / (c.delta?.fullBytes ?? Number.NaN);
  return {
    target: `saved audience: delta run after a day was added (${rows})`,
    goal:
      `API / raw ≤ ${DELTA_RATIO}: \`POST /api/v1/audiences/{id}/runs\` to \`completed\` (people, members, added and removed written) ` +
      'against one fresh DuckDB writing the same from the same files; same members, added and removed',
    measured: `${ratio(value)} (${ms(median(c.apiMs))} / ${ms(median(c.rawMs))}); figures ${same ? 'equal' : 'DIFFERENT'}; the delta drop is ${(drop * 100).toPrecision(2)} % of a full one`,
    met: value <= DELTA_RATIO && same,
  };
}

function previewRow(results: BenchResults, rows: string): TargetRow {
  const p = results.preview;
  const api = median(p.apiMs);
  const same = p.apiRows === PREVIEW_ROWS && p.rawRows === PREVIEW_ROWS;
  return {
    target: `preview of ${PREVIEW_ROWS} rows of a filtered task (${rows})`,
    goal: `≤ ${PREVIEW_TARGET_MS} ms (median), ${PREVIEW_ROWS} rows`,
    measured: `${ms(api)} (raw DuckDB ${ms(median(p.rawMs))}, ${ratio(api / median(p.rawMs))}); rows ${same ? PREVIEW_ROWS : `API ${p.apiRows}, raw ${p.rawRows}`}`,
    met: api <= PREVIEW_TARGET_MS && same,
  };
}

/** Growth verdict for one metric: exponents of each step and whether the largest step is linear or better. */
export function growthVerdict(points: Array<{ partitions: number; value: number }>): {
  steps: string;
  verdict: string;
} {
  const steps: string[] = [];
  let last = Number.NaN;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    last = exponent(a.partitions, a.value, b.partitions, b.value);
    steps.push(`${a.partitions}→${b.partitions}: ${last.toFixed(2)}`);
  }
  const verdict = last <= 0.9 ? 'better than linear' : last <= 1.1 ? 'linear' : 'worse than linear';
  return { steps: steps.join('; '), verdict };
}
