import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECTIONS = [
  '## Machine',
  '## How it was measured',
  '## Targets',
  '## 1. Un-filtered count',
  '## 2. Filtered count',
  '## 3. Filtered export',
  '## 4. Small task latency',
  '## 5. Status reads under load',
  '## 6. Growth with the number of partitions',
  '## 7. Export memory',
  '## 8. Fairness between organisations',
  '## 9. Scaled-out export',
  '## 10. Estimate (dry run)',
  '## 11. Preview',
  '## 12. Unique people',
  '## 13. Cancel latency',
  '## 14. CSV export',
  '## 15. JSON Lines export',
  '## 16. Whole-file export (copy)',
  '## 17. Export after a count (unload)',
  '## 18. Saved audience: a delta run (a day added)',
  '## 19. Command line start',
  '## 20. Activation profile export (Google Customer Match)',
  '## 21. Topic search',
  '## 22. A filtered count over object storage',
];
/** Sections 14 to 18 and 20: exports compared with raw DuckDB's, row for row. */
const FORMAT_EXPORTS = [...SECTIONS.slice(16, 21), SECTIONS[22]!];
/** A figure with its unit, as the report writes them. */
const FIGURE = /\d[\d,]*(\.\d+)?\s?(ms|s|MB|GB|×|req\/s)/;

/** A count comparison's check: the same rows on both sides (the backreference), no partition differing. */
const COUNTED_ALIKE =
  /^- Same work: rows counted: API ([1-9][\d,]*), raw \1; partitions whose counts differ: 0\.$/;
/** An export comparison's check: the same rows written on both sides. */
const EXPORTED_ALIKE = /^- Same work: rows exported: API ([1-9][\d,]*), raw \1 \(equal\)\.$/;

/** The report's text under one `## ` heading. */
function sectionOf(report: string, heading: string): string {
  const start = report.indexOf(`${heading}\n`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + heading.length);
  return report.slice(start, next < 0 ? undefined : next);
}

// Runs the real harness in tiny mode (servers as child processes, raw DuckDB, autocannon) into a
// temporary file; it checks the report's shape and never any timing.
describe('npm run bench -- --tiny', () => {
  let dir: string;
  let report: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-bench-'));
    const out = path.join(dir, 'BENCHMARKS.md');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--tiny', '--quiet', '--out', out],
      {
        cwd: root,
        timeout: 300_000,
        maxBuffer: 16 << 20,
      },
    );
    report = fs.readFileSync(out, 'utf8');
  }, 320_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has every section, each with figures', () => {
    for (const heading of SECTIONS) {
      const text = sectionOf(report, heading);
      expect(text, heading).not.toBe('');
      expect(text, heading).toMatch(FIGURE);
    }
  });

  it('states the machine, the date and the commands', () => {
    const machine = sectionOf(report, '## Machine');
    expect(machine).toMatch(/\| cores \| \d+/);
    expect(machine).toMatch(/\| memory \| [\d.]+ GB/);
    expect(report).toMatch(/on \d{4}-\d{2}-\d{2}/);
    expect(report).toContain('npm run bench');
    expect(report).toContain('Tiny mode');
  });

  it('has the table of targets, each met or not met with a measured figure', () => {
    const rows = sectionOf(report, '## Targets')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| target') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(24);
    for (const row of rows) {
      expect(row).toMatch(/\| (met|\*\*not met\*\*) \|$/);
      expect(row).toMatch(FIGURE);
    }
    for (const target of [
      'filtered count',
      'filtered export',
      'un-filtered count',
      'small task',
      'preview of 20 rows',
      'status reads',
      'partition task',
      'export memory',
      "B's one-partition count while A exports (embedded)",
      "B's one-partition count while A exports (scaled out)",
      'filtered export scaled out',
      'estimate of the whole tree',
      'unique people: filtered count with unique_by',
      'cancel in the middle of an export',
      'filtered export as CSV',
      'filtered export as JSON Lines',
      'export of whole files',
      'export after a count (unload',
      'saved audience: delta run after a day was added',
      'command line start: `audiences --help`',
      'command line overhead on a count',
      'people as a Google Customer Match file',
      'topic search by name',
      'bytes fetched by a filtered count over S3',
    ]) {
      expect(
        rows.some((row) => row.includes(target)),
        target,
      ).toBe(true);
    }
  });

  it('counts over object storage exactly as DuckDB does over the local files, in both staging modes', () => {
    const text = sectionOf(report, '## 22. A filtered count over object storage');
    expect(text).toContain("equal to raw DuckDB's over the local tree in every run: yes.");
    expect(text).toMatch(/\| whole objects \| [\d.]+ MB \| [1-9]/);
    expect(text).toMatch(/\| footers and column chunks \| [\d.]+ MB \| [1-9]/);
  });

  it('shows that both sides of every comparison did the same work', () => {
    // API and raw DuckDB agree on every partition's count and on the rows each export wrote (some).
    const expectSameWork = (heading: string, alike: RegExp) => {
      const lines = sectionOf(report, heading)
        .split('\n')
        .filter((line) => line.startsWith('- Same work: '));
      expect(lines, heading).toHaveLength(1);
      expect(lines[0], heading).toMatch(alike);
    };
    for (const heading of ['## 1. Un-filtered count', '## 2. Filtered count', '## 4. Small task latency'])
      expectSameWork(heading, COUNTED_ALIKE);
    for (const heading of ['## 3. Filtered export', ...FORMAT_EXPORTS])
      expectSameWork(heading, EXPORTED_ALIKE);
  });

  it('reports the medians and ratios of every comparison, and no missing figure', () => {
    for (const heading of [...SECTIONS.slice(3, 7), ...FORMAT_EXPORTS]) {
      const text = sectionOf(report, heading);
      expect(text, heading).toMatch(/\*\*Ratio API \/ raw \(medians\): \d+\.\d+×\*\*/);
      expect(text, heading).toMatch(/\| API \(create → status\) \| [\d.]+ m?s \|/);
      expect(text, heading).toMatch(/\| raw DuckDB \(fresh instance\) \| [\d.]+ m?s \|/);
    }
    expect(sectionOf(report, '## 5. Status reads under load')).toMatch(
      /\*\*API \/ bare requests\/s: \d+\.\d+\*\*/,
    );
    expect(sectionOf(report, '## 6. Growth with the number of partitions')).toMatch(/linear/);
    expect(sectionOf(report, '## 7. Export memory')).toMatch(/peak RSS \(VmHWM\) \| \*\*\d+ MB\*\*/);
    const fairness = sectionOf(report, '## 8. Fairness between organisations');
    for (const mode of ['embedded', 'scaled out']) {
      expect(fairness, mode).toMatch(
        new RegExp(`\\| ${mode} \\| [\\d.]+ m?s \\| \\*\\*[\\d.]+ m?s\\*\\* \\| \\*\\*[\\d.]+ m?s\\*\\* \\|`),
      );
    }
    expect(fairness).toContain('raw DuckDB counts');
    expect(fairness).not.toContain('DIFFERENT');
    const scaled = sectionOf(report, '## 9. Scaled-out export');
    expect(scaled).toMatch(/\*\*Ratio scaled out \/ embedded \(medians\): \d+\.\d+×\*\*/);
    expect(scaled).toMatch(/every run exported the same [\d,]+ rows/);
    const estimate = sectionOf(report, '## 10. Estimate (dry run)');
    expect(estimate).toMatch(/\| API estimate \| \*\*[\d.]+ m?s\*\* \|/);
    expect(estimate).toMatch(/\| raw DuckDB \(fresh instance\) \| [\d.]+ m?s \|/);
    expect(estimate).toContain('(equal)');
    const preview = sectionOf(report, '## 11. Preview');
    expect(preview).toMatch(/\*\*Preview median: [\d.]+ m?s\*\*/);
    expect(preview).toMatch(/\| API \(request → answer\) \| [\d.]+ m?s \| [\d., ]+ \| 20 \|/);
    expect(preview).toMatch(/\| raw DuckDB \(fresh instance\) \| [\d.]+ m?s \| [\d., ]+ \| 20 \|/);
    const unique = sectionOf(report, '## 12. Unique people');
    expect(unique).toMatch(/\*\*Ratio API \/ raw \(medians\): \d+\.\d+×\*\*/);
    expect(unique).toMatch(/\| API \(create → counted\) \| [\d.]+ m?s \|/);
    expect(unique).toMatch(/\| raw DuckDB \(fresh instance\) \| [\d.]+ m?s \|/);
    expect(unique).toContain(': equal).');
    // A tiny export may end before it can be cancelled; whatever was cancelled left no file.
    expect(sectionOf(report, '## 13. Cancel latency')).toMatch(/files of the cancelled tasks left: 0\./);
    for (const heading of FORMAT_EXPORTS) expect(sectionOf(report, heading), heading).toMatch(/\(equal\)/);
    expect(sectionOf(report, '## 16. Whole-file export (copy)')).toMatch(
      /Copied, not written again: .*\(equal\)/,
    );
    // The delta both sides found (the section fails when they differ) and the drop against a full one.
    const delta = sectionOf(report, '## 18. Saved audience: a delta run (a day added)');
    expect(delta).toMatch(
      /^- Delta of the last timed run .*: API members ([\d,]+), added ([\d,]+), removed ([\d,]+), kept [\d,]+; raw DuckDB members \1, added \2, removed \3; .*\(equal\)\.$/m,
    );
    expect(delta).toMatch(/^- Drop size: .*the delta is \*\*[\d.e+-]+ %\*\* of a full drop\.$/m);
    // The compiled command line against bare node, and a count against the client in process.
    const cli = sectionOf(report, '## 19. Command line start');
    for (const run of ['`audiences --help`', '`node -e 0`', '`audiences count --json` (one partition)'])
      expect(cli, run).toMatch(
        new RegExp(`\\| ${run.replace(/[()]/g, '\\$&')} \\| [\\d.]+ m?s \\| [\\d., ]+ \\|`),
      );
    expect(cli).toMatch(/its overhead on a count: -?[\d.]+ m?s\./);
    // The week's topics as the service indexed them against raw DuckDB's GROUP BY topic_id.
    const topics = sectionOf(report, '## 21. Topic search');
    expect(topics).toMatch(/\| later searches \(\d+\) \| [\d.]+ m?s \| [\d.]+ m?s \|/);
    expect(topics).toMatch(
      /^- Topics of the week: API ([\d,]+), raw DuckDB \1; rows, people and names \(equal\)\./m,
    );
    expect(report).not.toMatch(/NaN|\bn\/a\b|undefined/);
  });
});
