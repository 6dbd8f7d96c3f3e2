import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { useEffect, useRef } from 'react';

// Only the parts the console draws: the bundle leaves the rest of Chart.js out.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
  MatrixController,
  MatrixElement,
);

/**
 * One Chart.js chart on a canvas. Chart.js draws labels and tooltips on the canvas itself, so a value
 * from the data is never markup. The canvas carries a text label; the tables beside it hold the figures.
 */
export function ChartCanvas({
  config,
  label,
  height = 280,
}: {
  // biome-ignore lint/suspicious/noExplicitAny: bar, line and matrix charts share this component
  config: ChartConfiguration<any, any, any>;
  label: string;
  height?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
    });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
