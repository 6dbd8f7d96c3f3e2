import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataGrowthResult } from '../../bench/data-growth.ts';
import { GROWTH_KEYS } from '../../bench/data-growth.ts';
import { GROWTH_HEADING } from '../../bench/data-growth-report.ts';
import { HISTORY_HEADING } from '../../bench/history.ts';
import { objectCountsEqual } from '../../bench/object-count.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The growth run in tiny mode over two small trees: the embedded service, a scaled-out deployment
// (PostgreSQL, Redis) and s3rver, each against raw DuckDB. It checks what the run found and the
// report's shape, never a timing.
describe('npm run bench -- --growth --tiny', () => {
  let dir: string;
  let report: string;
  let result: DataGrowthResult;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-growth-'));
    const out = path.join(dir, 'BENCHMARKS.md');
    const work = path.join(dir, 'work');
    fs.writeFileSync(
      out,
      `# Benchmarks\n\nthe full run's report\n\n${HISTORY_HEADING}\n\n- 2026-12-01 \`abc1234\` a full run\n`,
    );
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--growth',
        '--tiny',
        '--sizes',
        '50k,150k',
        '--quiet',
        '--out',
        out,
        '--work',
        work,
      ],
      { cwd: root, timeout: 400_000, maxBuffer: 16 << 20 },
    );
    report = fs.readFileSync(out, 'utf8');
    result = JSON.parse(fs.readFileSync(path.join(work, 'results-growth-tiny.json'), 'utf8'));
  }, 420_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('measures every operation at every size, and each figure equals raw DuckDB’s', () => {
    expect(result.sizes.map((size) => size.rows)).toEqual([50_000, 150_000]);
    for (const size of result.sizes) {
      for (const side of ['embedded', 'scaled'] as const) {
        expect(size[side].map((sample) => sample.key)).toEqual([...GROWTH_KEYS]);
      }
      for (const key of GROWTH_KEYS) {
        const embedded = size.embedded.find((sample) => sample.key === key)!;
        const scaled = size.scaled.find((sample) => sample.key === key)!;
        expect(embedded.rawFigure, `${key} at ${size.rows}`).toBeGreaterThan(0);
        expect(embedded.apiFigure, `${key} at ${size.rows}, embedded`).toBe(embedded.rawFigure);
        expect(scaled.apiFigure, `${key} at ${size.rows}, scaled out`).toBe(embedded.rawFigure);
        expect(embedded.apiMs).toHaveLength(result.pairs);
        expect(embedded.rawMs).toHaveLength(result.pairs);
      }
    }
    // A people export holds one row per distinct person: as many as the unique count found.
    for (const size of result.sizes) {
      const figure = (key: string) => size.embedded.find((sample) => sample.key === key)!.rawFigure;
      expect(figure('people_export')).toBe(figure('unique_count'));
    }
  });

  it('samples the memory and CPU of every process of the scaled-out deployment', () => {
    for (const sample of result.sizes.flatMap((size) => size.scaled)) {
      expect(Object.keys(sample.peakRss).sort()).toEqual(['serve', 'worker1', 'worker2']);
      for (const bytes of Object.values(sample.peakRss)) expect(bytes).toBeGreaterThan(10e6);
      expect(Object.keys(sample.cpuSeconds).sort()).toEqual(['serve', 'worker1', 'worker2']);
      // The workers' share of each run's work: a ratio of the two, never above 1.
      expect(sample.busyShare).toBeGreaterThanOrEqual(0);
      expect(sample.busyShare).toBeLessThanOrEqual(1);
    }
  });

  it('counts each tree in s3rver with ranged reads, fetching less than whole objects', () => {
    for (const size of result.sizes) {
      const objects = size.objects!;
      expect(objectCountsEqual(objects)).toBe(true);
      const bytes = (mode: string) => objects.runs.filter((run) => run.mode === mode)[0]!.objectBytes;
      expect(bytes('ranged')).toBeLessThan(bytes('whole'));
    }
  });

  it('writes its section before the history, keeping the rest of the report', () => {
    expect(report).toContain("the full run's report");
    expect(report).toContain('- 2026-12-01 `abc1234` a full run');
    const start = report.indexOf(`${GROWTH_HEADING}\n`);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(report.indexOf(`${HISTORY_HEADING}\n`));
    const section = report.slice(start, report.indexOf(`${HISTORY_HEADING}\n`));
    // A target table, the three time tables, memory and CPU, the object store's bytes.
    expect(section).toContain('| target | measured | met |');
    for (const table of [
      '**Embedded**',
      '**Scaled out**',
      '**Raw DuckDB**',
      '**Memory and CPU, scaled out**',
      '**Filtered count over the tree in s3rver**',
    ])
      expect(section).toContain(table);
    // Every operation's cell says its figure equals raw DuckDB's (a difference is written in bold).
    expect(section.match(/; equal\)/g)?.length).toBe(2 * GROWTH_KEYS.length * 2);
    expect(section).not.toMatch(/\*\*[\d,]+ vs [\d,]+\*\*/);
  });
});
