import type { Overlap } from '../../api.ts';
import { formatCount } from '../../format.ts';

/** Circle centres and label spots for 2 or 3 sets; the areas are not proportional to the sizes. */
const LAYOUTS = {
  2: {
    circles: [
      { cx: 150, cy: 140 },
      { cx: 250, cy: 140 },
    ],
    // Keyed by the region's sets, e.g. "A,B".
    labels: { A: [105, 145], B: [295, 145], 'A,B': [200, 145] } as Record<string, [number, number]>,
  },
  3: {
    circles: [
      { cx: 160, cy: 120 },
      { cx: 240, cy: 120 },
      { cx: 200, cy: 190 },
    ],
    labels: {
      A: [120, 100],
      B: [280, 100],
      C: [200, 245],
      'A,B': [200, 95],
      'A,C': [150, 175],
      'B,C': [250, 175],
      'A,B,C': [200, 148],
    } as Record<string, [number, number]>,
  },
} as const;
const RADIUS = 90;
const COLOURS = ['#2f6fde', '#e0703a', '#2e9e6a'];

/** A Venn diagram of 2 or 3 sets: one circle per set, each region labelled with its exact size. */
export function VennDiagram({ overlap }: { overlap: Overlap }) {
  const n = overlap.sets.length;
  if (!overlap.regions || (n !== 2 && n !== 3)) return null;
  const layout = LAYOUTS[n];
  return (
    <svg
      viewBox="0 0 400 310"
      width="400"
      height="310"
      role="img"
      aria-label={`Venn diagram of ${overlap.sets.map((s) => s.key).join(', ')}`}
      data-testid="venn"
    >
      {layout.circles.map((c, i) => (
        <circle
          key={overlap.sets[i]!.key}
          cx={c.cx}
          cy={c.cy}
          r={RADIUS}
          fill={COLOURS[i]}
          fillOpacity={0.22}
          stroke={COLOURS[i]}
          strokeWidth={2}
        />
      ))}
      {layout.circles.map((c, i) => {
        const set = overlap.sets[i]!;
        const dx = i === 0 ? -RADIUS + 10 : i === 1 ? RADIUS - 10 : 0;
        const dy = n === 3 && i === 2 ? RADIUS + 18 : -RADIUS - 6;
        return (
          <text
            key={`name-${set.key}`}
            x={c.cx + dx}
            y={c.cy + dy}
            textAnchor={i === 0 ? 'start' : i === 1 ? 'end' : 'middle'}
            fontWeight="bold"
            fill={COLOURS[i]}
          >
            {set.key}: {formatCount(set.size)}
          </text>
        );
      })}
      {overlap.regions.map((region) => {
        const spot = layout.labels[region.sets.join(',')];
        if (!spot) return null;
        return (
          <text
            key={region.sets.join(',')}
            x={spot[0]}
            y={spot[1]}
            textAnchor="middle"
            data-testid={`region-${region.sets.join('')}`}
          >
            {formatCount(region.size)}
          </text>
        );
      })}
    </svg>
  );
}
