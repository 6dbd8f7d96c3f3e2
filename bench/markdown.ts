import { type CpuLoad, NOISY_CORES } from './cpu-monitor.ts';

/** Pieces of the reports' Markdown. */

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** How busy the machine was while a section ran (and whether it was measured again). */
export function loadLine(load: CpuLoad | undefined): string {
  if (!load) return '';
  const noisy =
    load.foreignCores > NOISY_CORES ? ' — **other work on the machine disturbed this section**' : '';
  const retried = load.disturbedAttempts?.length
    ? ` Measured again after ${load.disturbedAttempts.length} disturbed attempt${load.disturbedAttempts.length > 1 ? 's' : ''} (other work: ${load.disturbedAttempts.map((c) => c.toFixed(2)).join(', ')} cores), not shown.`
    : '';
  return `- CPU during this section (${load.seconds.toFixed(0)} s): this benchmark ${load.oursCores.toFixed(2)} cores, other processes ${load.foreignCores.toFixed(2)} cores on average${noisy}.${retried}`;
}
