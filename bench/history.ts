import type { BenchResults } from './results.ts';
import { evaluateTargets } from './targets.ts';

/** The heading of BENCHMARKS.md's history: one line per full run, newest first. */
export const HISTORY_HEADING = '## History';
/** Lines kept: about a year of daily runs. */
const KEPT = 400;

/**
 * One line of the history: when, which commit, how long, and every target's measured figure (the
 * ratios first), so a drift across commits shows at a glance.
 */
export function historyLine(results: BenchResults): string {
  const targets = evaluateTargets(results);
  const met = targets.filter((t) => t.met).length;
  const day = results.startedAt.slice(0, 10);
  const commit = results.machine.commit.split(' ')[0]!.slice(0, 7);
  const minutes = (results.durationMs / 60_000).toFixed(1);
  const figures = targets.map((t) => `${t.target}: ${shortFigure(t.measured)}${t.met ? '' : ' (not met)'}`);
  return `- ${day} \`${commit}\` (${minutes} min, ${met} of ${targets.length} met): ${figures.join('; ')}`;
}

/** A target's measured text up to its first comma or parenthesis: `1.08×`, `19.9 ms`, `11.0×`. */
function shortFigure(measured: string): string {
  return measured.split(/[;(,]/)[0]!.trim();
}

/** The history lines of an earlier BENCHMARKS.md (none when it has no history). */
export function historyOf(report: string | undefined): string[] {
  if (!report) return [];
  const start = report.indexOf(`\n${HISTORY_HEADING}\n`);
  if (start < 0) return [];
  const rest = report.slice(start + HISTORY_HEADING.length + 2);
  const end = rest.search(/\n## /);
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.startsWith('- '));
}

/** The history section of a new report: this run's line (a full run only) above the earlier ones. */
export function historySection(results: BenchResults, earlier: readonly string[]): string {
  const lines = results.tiny ? earlier : [historyLine(results), ...earlier];
  return [
    HISTORY_HEADING,
    '',
    'One line per full run (`npm run bench`), newest first: the date, the commit measured, and every',
    "target's figure, so a drift across commits shows the day it happens. Quick runs (`--tiny`) add none.",
    '',
    ...lines.slice(0, KEPT),
    '',
  ].join('\n');
}
