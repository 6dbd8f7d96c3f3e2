import type { DataGrowthResult, GrowthKey, GrowthSample, GrowthSize } from './data-growth.ts';
import { GROWTH_KEYS, GROWTH_TITLES } from './data-growth.ts';
import { table } from './markdown.ts';
import { medianOf, minimumBytes } from './object-count.ts';
import { int, mb, mb2, median, ms, ratio } from './stats.ts';

/** The heading of the growth run's section of BENCHMARKS.md. */
export const GROWTH_HEADING = '## Growth with data size';

/** Targets: time grows at most this fast with rows (1.0 is linear), and the API's ratio to raw at the largest size. */
export const GROWTH_EXPONENT_TARGET = 1.1;
export const GROWTH_RATIO_TARGET = 1.1;
/** Peak RSS of any process of the scaled-out deployment during a unique count or a people export. */
export const GROWTH_RSS_TARGET = 700e6;
/** Both workers count as busy when the less busy one used at least this share of the busier one's CPU. */
export const BUSY_SHARE = 0.5;

/**
 * The exponent `b` of the power law `time = a × rows^b` fitted by least squares on the logarithms:
 * 1.0 means time grows in proportion to rows. NaN with fewer than two sizes.
 */
export function growthExponent(points: ReadonlyArray<{ rows: number; ms: number }>): number {
  if (points.length < 2) return Number.NaN;
  const xs = points.map((p) => Math.log(p.rows));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

/** An exponent as the report prints it: `n/a` when a single size gives no slope. */
export function exponentText(b: number): string {
  return Number.isNaN(b) ? 'n/a' : b.toFixed(2);
}

type Side = 'embedded' | 'scaled';

function sample(size: GrowthSize, side: Side, key: GrowthKey): GrowthSample | undefined {
  return size[side].find((s) => s.key === key);
}

/** The API's median at each size, for one operation on one side. */
function apiPoints(result: DataGrowthResult, side: Side, key: GrowthKey) {
  return result.sizes.flatMap((size) => {
    const s = sample(size, side, key);
    return s ? [{ rows: size.rows, ms: median(s.apiMs) }] : [];
  });
}

function rawPoints(result: DataGrowthResult, key: GrowthKey) {
  return result.sizes.flatMap((size) => {
    const s = sample(size, 'embedded', key);
    return s && s.rawMs.length > 0 ? [{ rows: size.rows, ms: median(s.rawMs) }] : [];
  });
}

/** Whether the API's figure equals raw DuckDB's at this size (scaled out: the embedded raw figure). */
function exact(size: GrowthSize, side: Side, key: GrowthKey): boolean {
  const raw = sample(size, 'embedded', key)?.rawFigure;
  const api = sample(size, side, key)?.apiFigure;
  return raw !== undefined && raw !== null && api === raw;
}

/** One line per target of the growth run: what it asks, what was measured, whether it holds. */
export function growthTargets(
  result: DataGrowthResult,
): Array<{ target: string; measured: string; met: boolean }> {
  const largest = result.sizes.at(-1);
  const rows: Array<{ target: string; measured: string; met: boolean }> = [];
  const exponents = GROWTH_KEYS.flatMap((key) =>
    (['embedded', 'scaled'] as const).map((side) => ({
      key,
      side,
      b: growthExponent(apiPoints(result, side, key)),
    })),
  );
  const fitted = exponents.filter((e) => !Number.isNaN(e.b));
  const worst = fitted.reduce((a, b) => (b.b > a.b ? b : a), fitted[0]!);
  rows.push({
    target: `growth exponent of every operation ≤ ${GROWTH_EXPONENT_TARGET}`,
    measured: worst
      ? `largest ${exponentText(worst.b)} (${GROWTH_TITLES[worst.key]}, ${worst.side})`
      : 'not measured: one size gives no slope',
    met: fitted.length > 0 && exponents.every((e) => e.b <= GROWTH_EXPONENT_TARGET),
  });
  if (largest) {
    const ratios = GROWTH_KEYS.map((key) => {
      const s = sample(largest, 'embedded', key);
      return { key, r: s ? median(s.apiMs) / median(s.rawMs) : Number.NaN };
    });
    const worstRatio = ratios.reduce((a, b) => (b.r > a.r ? b : a), ratios[0]!);
    rows.push({
      target: `API/raw at ${int(largest.rows)} rows ≤ ${GROWTH_RATIO_TARGET}`,
      measured: `largest ${ratio(worstRatio.r)} (${GROWTH_TITLES[worstRatio.key]})`,
      met: ratios.every((r) => r.r <= GROWTH_RATIO_TARGET),
    });
    const heavy: GrowthKey[] = ['unique_count', 'people_export'];
    const peaks = heavy.flatMap((key) => Object.values(sample(largest, 'scaled', key)?.peakRss ?? {}));
    const allExact = result.sizes.every((size) =>
      GROWTH_KEYS.every((key) => exact(size, 'embedded', key) && exact(size, 'scaled', key)),
    );
    const failed = result.sizes.flatMap((size) =>
      (['embedded', 'scaled'] as const).flatMap((side) =>
        size[side]
          .filter((s) => s.error)
          .map((s) => `${GROWTH_TITLES[s.key]} ${side} at ${int(size.rows)} rows failed`),
      ),
    );
    const exactness =
      failed.length > 0
        ? failed.join('; ')
        : allExact
          ? 'every figure equals raw DuckDB'
          : 'figures differ from raw DuckDB';
    rows.push({
      target: `unique count and people export at ${int(largest.rows)} rows with DUCKDB_MEMORY_LIMIT=${result.memoryLimit}, scaled out: exact, peak RSS per process ≤ ${mb(GROWTH_RSS_TARGET)}`,
      measured: `${exactness}; peak RSS ${mb(Math.max(0, ...peaks))}`,
      met: allExact && peaks.length > 0 && Math.max(...peaks) <= GROWTH_RSS_TARGET,
    });
    const busy = heavy.map((key) => sample(largest, 'scaled', key)?.busyShare ?? 0);
    rows.push({
      target: `unique count and people export scaled out: both workers busy (in a run, the less busy ≥ ${BUSY_SHARE} of the busier's CPU; median of the runs)`,
      measured: heavy.map((key, i) => `${GROWTH_TITLES[key]} ${busy[i]!.toFixed(2)}`).join(', '),
      met: busy.every((share) => share >= BUSY_SHARE),
    });
  }
  return rows;
}

function perMillion(msValue: number, rows: number): string {
  return ms(msValue / (rows / 1e6));
}

function cpuCell(s: GrowthSample | undefined): string {
  if (!s) return 'n/a';
  return Object.entries(s.cpuSeconds)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
    .join(', ');
}

function rssCell(s: GrowthSample | undefined): string {
  if (!s) return 'n/a';
  return Object.entries(s.peakRss)
    .map(([name, bytes]) => `${name} ${mb(bytes)}`)
    .join(', ');
}

/** The growth run's section of BENCHMARKS.md (see `withGrowthSection`). */
export function renderGrowthSection(result: DataGrowthResult, command: string, commit: string): string {
  const lines: string[] = [GROWTH_HEADING, ''];
  lines.push(
    `Measured by \`${command}\` on ${result.startedAt.slice(0, 10)} at \`${commit}\` (${(result.durationMs / 60_000).toFixed(1)} min): at each size, an intent tree of the main run's shape (generated once with the project's generator and cached), the median of ${result.pairs} run${result.pairs === 1 ? '' : 's'} after a warm-up of each operation${result.pairs > 1 ? ' (of 7 for the filtered count, under a second: its median of 3 moved by a tenth from run to run)' : ''}, create sent → \`counted\` or \`completed\`. Embedded: \`audiences start\` with the defaults, alternating with raw DuckDB doing the same work in a fresh in-memory instance. Scaled out: 1 \`serve\` + 2 \`worker\` processes, each with \`WORKER_CONCURRENCY=1 COUNT_CONCURRENCY=1 DUCKDB_THREADS=1 DUCKDB_MEMORY_LIMIT=${result.memoryLimit}\`; its figures are held to the embedded run's raw figure. The growth exponent is the slope of log(time) on log(rows) (1.0: time grows as rows do).`,
    '',
  );
  lines.push(
    table(
      ['target', 'measured', 'met'],
      growthTargets(result).map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**']),
    ),
    '',
  );
  const header = ['operation', ...result.sizes.map((s) => `${int(s.rows)} rows`), 'exponent'];
  for (const side of ['embedded', 'scaled'] as const) {
    lines.push(
      `**${side === 'embedded' ? 'Embedded' : 'Scaled out'}**: API time (per million rows; API/raw${side === 'scaled' ? ' against the embedded raw' : ''}; figure equal to raw)`,
      '',
    );
    const body = GROWTH_KEYS.map((key) => [
      GROWTH_TITLES[key],
      ...result.sizes.map((size) => {
        const s = sample(size, side, key);
        const raw = sample(size, 'embedded', key);
        if (!s) return 'n/a';
        if (s.error) return `**failed**: ${s.error.replace(/\|/g, '/')}`;
        const api = median(s.apiMs);
        return `${ms(api)} (${perMillion(api, size.rows)}/M; ${ratio(api / median(raw?.rawMs ?? []))}; ${exact(size, side, key) ? 'equal' : `**${int(s.apiFigure)} vs ${int(raw?.rawFigure ?? Number.NaN)}**`})`;
      }),
      exponentText(growthExponent(apiPoints(result, side, key))),
    ]);
    lines.push(table(header, body), '');
  }
  lines.push('**Raw DuckDB**: time (per million rows)', '');
  lines.push(
    table(
      header,
      GROWTH_KEYS.map((key) => [
        GROWTH_TITLES[key],
        ...result.sizes.map((size) => {
          const raw = sample(size, 'embedded', key);
          return raw ? `${ms(median(raw.rawMs))} (${perMillion(median(raw.rawMs), size.rows)}/M)` : 'n/a';
        }),
        exponentText(growthExponent(rawPoints(result, key))),
      ]),
    ),
    '',
  );
  lines.push('**Memory and CPU, scaled out** (peak RSS sampled every 20 ms; CPU time per run)', '');
  lines.push(
    table(
      ['operation', 'rows', 'jobs', 'peak RSS', 'CPU'],
      result.sizes.flatMap((size) =>
        GROWTH_KEYS.map((key) => {
          const s = sample(size, 'scaled', key);
          return [GROWTH_TITLES[key], int(size.rows), String(s?.jobs ?? 'n/a'), rssCell(s), cpuCell(s)];
        }),
      ),
    ),
    '',
  );
  const objects = result.sizes.filter((size) => size.objects);
  if (objects.length > 0) {
    lines.push(
      '**Filtered count over the tree in s3rver** (bytes of object GETs through a proxy; median time)',
      '',
    );
    lines.push(
      table(
        ['rows', 'tree', 'whole objects', 'ranged reads', 'least possible', 'ranged / least'],
        objects.map((size) => {
          const o = size.objects!;
          const whole = medianOf(o, 'whole');
          const ranged = medianOf(o, 'ranged');
          return [
            int(size.rows),
            mb(o.treeBytes),
            `${mb(whole.bytes)}, ${ms(whole.ms)}`,
            `${mb2(ranged.bytes)}, ${ms(ranged.ms)}`,
            mb2(minimumBytes(o)),
            ratio(ranged.bytes / minimumBytes(o)),
          ];
        }),
      ),
      '',
    );
  }
  return lines.join('\n');
}

/** The growth section of an earlier report, or '' when it has none. */
export function growthSectionOf(report: string | undefined): string {
  if (!report) return '';
  const start = report.indexOf(`\n${GROWTH_HEADING}\n`);
  if (start < 0) return '';
  const rest = report.slice(start + 1);
  const end = rest.indexOf('\n## ', GROWTH_HEADING.length);
  return `${(end < 0 ? rest : rest.slice(0, end)).trimEnd()}\n`;
}

/**
 * The report with `section` in place of its growth section, or before its history when it has
 * none (at the end when it has neither).
 */
export function withGrowthSection(report: string, section: string, historyHeading: string): string {
  const old = growthSectionOf(report);
  if (old) return report.replace(old, `${section.trimEnd()}\n`);
  const history = report.indexOf(`\n${historyHeading}\n`);
  if (history < 0) return `${report.trimEnd()}\n\n${section.trimEnd()}\n`;
  return `${report.slice(0, history + 1)}${section.trimEnd()}\n\n${report.slice(history + 1)}`;
}
