import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import type { TaskDetail } from '../../api.ts';
import { ChartCanvas } from '../../components/chart-canvas.tsx';
import { cellText, formatCount, partitionParts } from '../../format.ts';

const SCORE_ORDER = ['low', 'medium', 'high'];
const SCORE_COLOURS: Record<string, string> = { low: '#9ecae1', medium: '#4292c6', high: '#08306b' };
/** The heatmap shows this many prefixes, the largest: more rows than that are unreadable. */
const HEATMAP_PREFIXES = 25;

interface Cell {
  day: string;
  prefix: string;
  score: string;
  rows: number;
}

function cells(counts: Record<string, number>): Cell[] {
  return Object.entries(counts).flatMap(([key, rows]) => {
    const { day, prefix, score } = partitionParts(key);
    return day && prefix && score ? [{ day, prefix, score, rows }] : [];
  });
}

function sum<K>(items: Cell[], keyOf: (cell: Cell) => K): Map<K, number> {
  const totals = new Map<K, number>();
  for (const cell of items) totals.set(keyOf(cell), (totals.get(keyOf(cell)) ?? 0) + cell.rows);
  return totals;
}

/** Rows per day, one stacked bar segment per score. */
function byDayConfig(items: Cell[]): ChartConfiguration<'bar'> {
  const days = [...new Set(items.map((c) => c.day))].sort();
  const scores = SCORE_ORDER.filter((s) => items.some((c) => c.score === s));
  const totals = sum(items, (c) => `${c.day}|${c.score}`);
  return {
    type: 'bar',
    data: {
      labels: days,
      datasets: scores.map((score) => ({
        label: score,
        data: days.map((day) => totals.get(`${day}|${score}`) ?? 0),
        backgroundColor: SCORE_COLOURS[score],
      })),
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'rows' } },
      },
    },
  };
}

/** The heatmap's colour for `rows` of the largest cell's `max`: darker is more. */
function heatColour(rows: number, max: number): string {
  return `rgba(8, 81, 156, ${0.08 + (0.92 * rows) / Math.max(1, max)})`;
}

/** Rows per prefix and day, as the colour of a grid cell. */
function heatmapConfig(items: Cell[]) {
  const days = [...new Set(items.map((c) => c.day))].sort();
  const prefixTotals = sum(items, (c) => c.prefix);
  const prefixes = [...prefixTotals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, HEATMAP_PREFIXES)
    .map(([prefix]) => prefix);
  const totals = sum(items, (c) => `${c.prefix}|${c.day}`);
  const data = prefixes.flatMap((prefix) =>
    days.map((day) => ({ x: day, y: prefix, v: totals.get(`${prefix}|${day}`) ?? 0 })),
  );
  const max = Math.max(0, ...data.map((d) => d.v));
  const min = Math.min(max, ...data.map((d) => d.v));
  const config = {
    type: 'matrix' as const,
    data: {
      datasets: [
        {
          label: 'rows',
          data,
          backgroundColor: (context: { raw?: { v: number } }) => heatColour(context.raw?.v ?? 0, max),
          borderColor: '#ffffff',
          borderWidth: 1,
          width: (context: { chart: { chartArea?: { width: number } } }) =>
            (context.chart.chartArea?.width ?? 0) / days.length - 1,
          height: (context: { chart: { chartArea?: { height: number } } }) =>
            (context.chart.chartArea?.height ?? 0) / prefixes.length - 1,
        },
      ],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (context: { raw: { x: string; y: string; v: number } }) =>
              `${context.raw.y} on ${context.raw.x}: ${formatCount(context.raw.v)} rows`,
          },
        },
      },
      scales: {
        x: { type: 'category' as const, labels: days, offset: true, grid: { display: false } },
        y: { type: 'category' as const, labels: prefixes, offset: true, grid: { display: false } },
      },
    },
  };
  return { config, prefixes: prefixes.length, allPrefixes: prefixTotals.size, days: days.length, min, max };
}

/** The heatmap's colour scale, from its smallest cell to its largest, with their rows. */
function HeatLegend({ min, max }: { min: number; max: number }) {
  return (
    <div className="heat-legend" data-testid="heatmap-legend">
      <span data-testid="heatmap-min">{formatCount(min)} rows</span>
      <span
        className="heat-scale"
        aria-hidden="true"
        style={{ background: `linear-gradient(to right, ${heatColour(min, max)}, ${heatColour(max, max)})` }}
      />
      <span data-testid="heatmap-max">{formatCount(max)} rows</span>
    </div>
  );
}

/** The intent charts a person reads at a glance: counts by day stacked by score, prefix × day heatmap. */
export function SegmentCharts({ counts }: { counts: Record<string, number> }) {
  const items = useMemo(() => cells(counts), [counts]);
  const byDay = useMemo(() => byDayConfig(items), [items]);
  const heatmap = useMemo(() => heatmapConfig(items), [items]);
  if (items.length === 0) return null;
  return (
    <div className="charts">
      <figure className="card">
        <figcaption>Rows by day, stacked by score</figcaption>
        <ChartCanvas config={byDay} label="Bar chart of rows by day, stacked by score" />
      </figure>
      <figure className="card">
        <figcaption>
          Rows by prefix × day
          {heatmap.allPrefixes > heatmap.prefixes
            ? ` (the ${heatmap.prefixes} largest of ${heatmap.allPrefixes} prefixes)`
            : ''}
        </figcaption>
        <ChartCanvas
          config={heatmap.config}
          label="Heatmap of rows by topic prefix and day"
          height={Math.max(200, 26 * heatmap.prefixes + 60)}
        />
        <HeatLegend min={heatmap.min} max={heatmap.max} />
      </figure>
    </div>
  );
}

/** One bar chart per `breakdown_by` column: its top values by rows. */
export function BreakdownCharts({ breakdowns }: { breakdowns: NonNullable<TaskDetail['breakdowns']> }) {
  const configs = useMemo(
    () =>
      Object.entries(breakdowns).map(([column, entries]) => {
        const top = entries.slice(0, 15);
        const config: ChartConfiguration<'bar'> = {
          type: 'bar',
          data: {
            labels: top.map((e) => (e.value === null ? '(null)' : cellText(e.value))),
            datasets: [{ label: 'rows', data: top.map((e) => e.count), backgroundColor: '#4292c6' }],
          },
          options: { indexAxis: 'y', plugins: { legend: { display: false } } },
        };
        return { column, config, shown: top.length, all: entries.length };
      }),
    [breakdowns],
  );
  return (
    <div className="charts">
      {configs.map(({ column, config, shown, all }) => (
        <figure className="card" key={column}>
          <figcaption>
            Rows by {column}
            {all > shown ? ` (top ${shown} of ${all})` : ''}
          </figcaption>
          <ChartCanvas
            config={config}
            label={`Bar chart of rows by ${column}`}
            height={Math.max(160, 24 * shown + 40)}
          />
        </figure>
      ))}
    </div>
  );
}
