import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import type { AudienceDetail } from '../../api.ts';
import { ChartCanvas } from '../../components/chart-canvas.tsx';
import { formatCount, formatTime } from '../../format.ts';
import { sizeOf } from './audience-words.ts';

type History = AudienceDetail['size_history'];

/** Whether the history counts people (unique_by) or rows: one unit for the whole line. */
function unitOf(history: History): 'people' | 'rows' {
  return history.some((point) => point.people !== null) ? 'people' : 'rows';
}

function values(history: History): number[] {
  const unit = unitOf(history);
  return history.map((point) => (unit === 'people' ? point.people : point.total_count) ?? 0);
}

const WIDTH = 96;
const HEIGHT = 24;

/**
 * A tiny line of an audience's size over its completed runs, drawn as inline SVG: a table row needs
 * no chart library instance. Its label says the first and last figures.
 */
export function Sparkline({ history }: { history: History | undefined }) {
  if (!history || history.length === 0) return null;
  const sizes = values(history);
  const min = Math.min(...sizes);
  const span = Math.max(...sizes) - min;
  const x = (index: number) =>
    sizes.length === 1 ? WIDTH / 2 : (index * (WIDTH - 4)) / (sizes.length - 1) + 2;
  // An unchanged size is a level line through the middle.
  const y = (size: number) => (span === 0 ? HEIGHT / 2 : HEIGHT - 3 - ((size - min) * (HEIGHT - 6)) / span);
  const points = sizes.map((size, index) => `${x(index).toFixed(1)},${y(size).toFixed(1)}`).join(' ');
  const label =
    sizes.length === 1
      ? `One completed run: ${formatCount(sizes[0])} ${unitOf(history)}`
      : `Size over ${sizes.length} runs: from ${formatCount(sizes[0])} to ${formatCount(sizes.at(-1))} ${unitOf(history)}`;
  return (
    <svg className="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img">
      <title>{label}</title>
      {sizes.length > 1 ? <polyline points={points} /> : null}
      <circle cx={x(sizes.length - 1)} cy={y(sizes.at(-1)!)} r="2.5" />
    </svg>
  );
}

/** The audience's size over its completed runs (the last 30), people or rows, by when each completed. */
export function SizeChart({ history }: { history: History }) {
  const config = useMemo((): ChartConfiguration<'line'> => {
    const unit = unitOf(history);
    return {
      type: 'line',
      data: {
        labels: history.map((point) => formatTime(point.completed_at)),
        datasets: [
          {
            label: unit,
            data: values(history),
            borderColor: '#0b5cad',
            backgroundColor: '#0b5cad',
            pointRadius: 3,
            tension: 0.2,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        // offset: a single run sits in the middle, not on the axis.
        scales: { x: { offset: true }, y: { beginAtZero: true, title: { display: true, text: unit } } },
      },
    };
  }, [history]);
  if (history.length === 0)
    return <p className="muted">No completed run yet: the chart starts with the first.</p>;
  const last = history.at(-1)!;
  return (
    <ChartCanvas
      config={config}
      height={220}
      label={`Line chart of the audience's size over ${history.length} completed runs, ${formatCount(sizeOf(last))} ${unitOf(history)} at the last`}
    />
  );
}
