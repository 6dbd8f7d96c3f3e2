import os from 'node:os';
import path from 'node:path';
import { COMPARISON_KEYS, type Comparison } from './comparisons.ts';

/** Sizes and switches of one benchmark run (full by default, tiny for the test and a quick look). */
export interface BenchOptions {
  tiny: boolean;
  /** Repository root (where bin/audiences.js lives). */
  root: string;
  /** Cache folder (git-ignored): the generated trees, logs and results of the last runs. */
  workDir: string;
  /** This run's own folder inside workDir (DATA_DIRs, raw exports), deleted at the end. */
  scratchDir: string;
  /** Server logs of the last run of this mode. */
  logDir: string;
  /** Where the Markdown report is written. */
  reportPath: string;
  tree: { rows: number; days: number; prefixes: number; seed: number };
  /** Measured pairs (API, raw) per comparison, after one warm-up pair. */
  pairs: number;
  exportPairs: number;
  /** Threads of DuckDB on both sides. */
  threads: number;
  /** DUCKDB_MEMORY_LIMIT of the main server (unset: the service's default). */
  memoryLimit: string | undefined;
  /** DUCKDB_MEMORY_LIMIT of the memory run. */
  lowMemoryLimit: string;
  autocannon: { connections: number; durationSec: number };
  growth: { sizes: number[]; tasksPerSize: number; readsPerTask: number };
  /** Extra API runs per comparison by a client that polls every `pollMs` instead of long polling. */
  pollRuns: number;
  pollMs: number;
  /**
   * Fairness (section 8): B's one-partition count, `samples` times on an idle service and as many
   * times while organisation A keeps `exports` full exports in flight, `gapMs` apart.
   */
  fairness: { samples: number; exports: number; gapMs: number };
  /** A PostgreSQL server the scaled-out deployments create their databases on (and drop them). */
  postgresUrl: string;
  /** The Redis the scaled-out deployments share, each under a key prefix of its own. */
  redisUrl: string;
  /** Before each section, wait (up to 2 min) until other processes leave the cores alone. */
  waitForQuiet: boolean;
  /** Attempts at a section that other work on the machine disturbed (the last one is reported). */
  sectionAttempts: number;
  log: (message: string) => void;
  /**
   * Only these comparisons, printed to stdout; no report is written (a quick look at the core
   * operations after a change on the job path).
   */
  only: Array<Comparison['key']> | undefined;
  /**
   * `--growth`: only the data-growth run (the four operations at each of `growthRows`), whose
   * section of the report replaces the one before; the rest of the report stays as it was.
   */
  dataGrowth: boolean;
  /** Rows of the trees the growth run measures, smallest first. */
  growthRows: number[];
  /** The growth run also counts over each tree in s3rver (whole objects against ranged reads). */
  growthObjects: boolean;
}

const USAGE = `usage: npm run bench -- [--tiny] [--out FILE]

  --tiny        a quick run (200k rows in 30 files, 1 round, short load test, one scaled-out
                deployment); also BENCH_TINY=1
  --out FILE    write the report to FILE instead of BENCHMARKS.md; also BENCH_OUT=FILE
  --work DIR    cache and scratch folder (default .bench); also BENCH_WORK_DIR=DIR
  --quiet       no progress lines on stderr
  --growth      only the growth run: a filtered count, a filtered export, a unique count and a people
                export at each tree size, embedded and scaled out, against raw DuckDB, and the count
                over each tree in s3rver; updates its section of the report (trees are cached)
  --sizes LIST  the growth run's tree sizes in rows (default 10M,30M,100M; tiny 100k,300k); with
                --only, one size: the comparisons on a tree of that many rows
  --no-objects  the growth run without the s3rver counts
  --only KEYS   only these comparisons on the full tree, or the tiny one with --tiny (comma-separated:
                count, filtered, export, small, csv, jsonl, copy, unload, delta, profile), printed to stdout;
                writes no report

The scaled-out sections need PostgreSQL and Redis: BENCH_POSTGRES_URL (a user that may create
databases; default postgres://postgres@127.0.0.1:5432/postgres) and BENCH_REDIS_URL (default
redis://127.0.0.1:6379). Each run creates a database of its own and drops it, and deletes only the
keys under its own Redis prefix.`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, root: string): BenchOptions {
  let tiny = ['1', 'true', 'yes'].includes((env.BENCH_TINY ?? '').toLowerCase());
  let out = env.BENCH_OUT;
  let work = env.BENCH_WORK_DIR;
  let quiet = false;
  let only: Array<Comparison['key']> | undefined;
  let dataGrowth = false;
  let sizes: number[] | undefined;
  let growthObjects = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--tiny') tiny = true;
    else if (arg === '--out') out = value();
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg === '--work') work = value();
    else if (arg === '--quiet') quiet = true;
    else if (arg === '--only') only = comparisonKeys(value());
    else if (arg === '--growth') dataGrowth = true;
    else if (arg === '--sizes') sizes = rowCounts(value());
    else if (arg === '--no-objects') growthObjects = false;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const threads = Math.max(1, os.availableParallelism());
  const started = performance.now();
  const log = quiet
    ? () => {}
    : (message: string) =>
        process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  const workDir = path.resolve(root, work ?? '.bench');
  const mode = `${dataGrowth ? 'growth-' : ''}${tiny ? 'tiny' : 'full'}`;
  return {
    tiny,
    root,
    workDir,
    scratchDir: path.join(workDir, `run-${mode}-${process.pid}`),
    logDir: path.join(workDir, `logs-${mode}`),
    reportPath: path.resolve(root, out ?? 'BENCHMARKS.md'),
    tree: tiny
      ? { rows: 200_000, days: 2, prefixes: 5, seed: 1 }
      : { rows: (only && sizes?.length === 1 && sizes[0]) || 10_000_000, days: 10, prefixes: 10, seed: 1 },
    // The growth run's largest trees take minutes per run: fewer rounds.
    // A tiny run checks that every section works, not its figures: one round of each.
    pairs: dataGrowth ? (tiny ? 1 : 3) : tiny ? 1 : 7,
    exportPairs: tiny ? 1 : 7,
    threads,
    memoryLimit: undefined,
    lowMemoryLimit: '256MB',
    autocannon: tiny ? { connections: 100, durationSec: 1 } : { connections: 100, durationSec: 10 },
    growth: tiny
      ? { sizes: [1, 100, 1_000], tasksPerSize: 2, readsPerTask: 5 }
      : { sizes: [1, 100, 1_000, 10_000], tasksPerSize: 3, readsPerTask: 10 },
    fairness: { samples: 5, exports: 2, gapMs: tiny ? 0 : 1000 },
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    pollRuns: tiny ? 1 : 3,
    pollMs: 2,
    waitForQuiet: !tiny,
    sectionAttempts: tiny ? 1 : 3,
    log,
    only,
    dataGrowth,
    growthRows: sizes ?? (tiny ? [100_000, 300_000] : [10_000_000, 30_000_000, 100_000_000]),
    growthObjects,
  };
}

/** `10M,30M,100M` or `100k,300000`: row counts, smallest first. */
function rowCounts(list: string): number[] {
  const counts = list.split(',').map((item) => {
    const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(item.trim());
    if (!match) throw new Error(`--sizes takes row counts such as 10M,30M,100M; not ${item}\n${USAGE}`);
    const unit = { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
    return Math.round(Number(match[1]) * unit);
  });
  return counts.sort((a, b) => a - b);
}

function comparisonKeys(list: string): Array<Comparison['key']> {
  const keys = list.split(',').map((key) => key.trim());
  const unknown = keys.filter((key) => !(COMPARISON_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0 || keys.length === 0) {
    throw new Error(`--only takes ${COMPARISON_KEYS.join(', ')}; not ${unknown.join(', ')}\n${USAGE}`);
  }
  return keys as Array<Comparison['key']>;
}
