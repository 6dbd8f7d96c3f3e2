/**
 * `npm run chaos`: a scaled-out deployment under kills, a Redis FLUSHALL, PostgreSQL and Redis
 * restarts, a misbehaving object store and a full disk, then checks that nothing was lost or
 * doubled; writes RELIABILITY.md. See `npm run chaos -- --help`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuMonitor } from '../cpu-monitor.ts';
import { ensureDataset } from '../dataset.ts';
import { describeMachine } from '../machine.ts';
import { runChaos } from './chaos.ts';
import { renderReliability, summary } from './report.ts';

const USAGE = `usage: npm run chaos -- [options]

  --tasks N       tasks the clients create (default 300)
  --kills N       kill -9s of workers and APIs, each restarted at once (default 100)
  --pg-restarts N     PostgreSQL stopped 10 s, then started again (default 2; the run
                      then uses a PostgreSQL server of its own, never the shared one)
  --redis-restarts N  Redis stopped 10 s, then started again, empty (default 2)
  --s3-faults N       5 s windows in which half the input requests get a fault: 503
                      SlowDown, 500, a reset or clean close mid-body, a stall of 2-12 s
                      (default 3)
  --disk-full N       5 s windows in which the disk holding OUTPUT_PATH, SNAPSHOT_PATH and
                      the staging caches (a tmpfs the run mounts; needs root) is full
                      (default 2; without root the kind is skipped, and the report says so)
                  With --s3-faults or --disk-full above 0, the deployment reads its intent
                  tree from a private s3rver behind a fault proxy (outputs stay local).
                  Faults never overlap one another or the FLUSHALL; kills go on meanwhile.
  --disk-mb N     size of that tmpfs (default 4096; only what is written takes memory,
                  but a full disk's ballast takes all of it for the window)
  --long          the long run: --tasks 600 --kills 1000, 10 of each fault kind and
                  --disk-mb 8192 (75 min of chaos, 8 GB of memory while a disk is
                  full; not for CI); options after it override it
  --seed N        seed of every random choice (default 1)
  --duration S    seconds over which tasks are created and processes killed
                  (default: 4.5 s per kill, at least 1.4 s per task)
  --orgs N        organisations (default 4)
  --rows N, --days N, --prefixes N
                  size of the generated intent tree (default 1500000 rows, 4 days, 8 prefixes)
  --tree DIR      use this intent tree instead of generating one
  --out FILE      write the report to FILE (default RELIABILITY.md)
  --json FILE     also write every figure as JSON
  --work DIR      cache and run folders (default .bench)
  --keep          keep the run's output folder, DATA_DIRs and Redis folder
  --quiet         no progress lines on stderr

Exits 1 when any check fails.`;

interface Options {
  tasks: number;
  kills: number;
  pgRestarts: number;
  redisRestarts: number;
  s3Faults: number;
  diskFull: number;
  diskMb: number;
  seed: number;
  durationSec: number | undefined;
  orgs: number;
  rows: number;
  days: number;
  prefixes: number;
  tree: string | undefined;
  out: string;
  json: string | undefined;
  work: string;
  keep: boolean;
  quiet: boolean;
}

function parse(argv: readonly string[], root: string): Options {
  const options: Options = {
    tasks: 300,
    kills: 100,
    pgRestarts: 2,
    redisRestarts: 2,
    s3Faults: 3,
    diskFull: 2,
    diskMb: 4096,
    seed: 1,
    durationSec: undefined,
    orgs: 4,
    rows: 1_500_000,
    days: 4,
    prefixes: 8,
    tree: undefined,
    out: path.join(root, 'RELIABILITY.md'),
    json: undefined,
    work: path.join(root, '.bench'),
    keep: false,
    quiet: false,
  };
  const numbers = [
    'tasks',
    'kills',
    'pgRestarts',
    'redisRestarts',
    's3Faults',
    'diskFull',
    'diskMb',
    'seed',
    'orgs',
    'rows',
    'days',
    'prefixes',
  ] as const;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    // --pg-restarts → pgRestarts
    const name = flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if ((numbers as readonly string[]).includes(name)) {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} must be a whole number`);
      options[name as (typeof numbers)[number]] = n;
    } else if (flag === '--duration') options.durationSec = Number(value());
    else if (flag === '--tree') options.tree = path.resolve(value());
    else if (flag === '--out') options.out = path.resolve(value());
    else if (flag === '--json') options.json = path.resolve(value());
    else if (flag === '--work') options.work = path.resolve(value());
    else if (flag === '--long') Object.assign(options, LONG_RUN);
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--quiet') options.quiet = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return options;
}

/**
 * The long run the reliability requirement asks for (not in CI): at least 1,000 kills and every
 * fault kind at least 10 times, over 75 min of workload (4.5 s per kill). 600 tasks export about
 * 4 GB (6 MB a task on the default tree): the small disk must hold them besides the caches.
 */
const LONG_RUN = {
  tasks: 600,
  kills: 1000,
  pgRestarts: 10,
  redisRestarts: 10,
  s3Faults: 10,
  diskFull: 10,
  diskMb: 8192,
} satisfies Partial<Options>;

function version(command: string, args: string[], pattern: RegExp): string {
  try {
    return pattern.exec(execFileSync(command, args, { encoding: 'utf8' }))?.[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const options = parse(process.argv.slice(2), root);
const started = performance.now();
const log = options.quiet
  ? () => {}
  : (message: string) =>
      process.stderr.write(`[chaos ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

try {
  const dataset = options.tree
    ? undefined
    : await ensureDataset({
        workDir: options.work,
        tree: { rows: options.rows, days: options.days, prefixes: options.prefixes, seed: 11 },
        threads: os.availableParallelism(),
        log,
      });
  const tree = options.tree ?? dataset!.dir;
  const runDir = path.join(options.work, `chaos-${new Date().toISOString().replaceAll(/[:.]/g, '-')}`);
  const durationMs = 1000 * (options.durationSec ?? Math.max(options.kills * 4.5, options.tasks * 1.4, 20));
  const machine = await describeMachine(root);
  const cpu = new CpuMonitor();
  const mark = cpu.mark();
  const result = await runChaos({
    tree,
    runDir,
    keep: options.keep,
    tasks: options.tasks,
    kills: options.kills,
    organisations: options.orgs,
    apis: 2,
    workers: 3,
    workloadMs: durationMs,
    drainTimeoutMs: 15 * 60_000,
    seed: options.seed,
    faults: {
      pg_restart: options.pgRestarts,
      redis_restart: options.redisRestarts,
      s3_faults: options.s3Faults,
      disk_full: options.diskFull,
    },
    diskBytes: options.diskMb * 1024 * 1024,
    log,
  });
  const files = dataset?.files ?? countFiles(tree);
  const report = renderReliability(result, {
    command: ['npm run chaos', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine,
    tree: {
      rows: result.tree.rows,
      files,
      bytes: dataset?.bytes ?? treeBytes(tree),
      seed: dataset ? 11 : undefined,
    },
    load: cpu.since(mark),
    postgres: `PostgreSQL ${version('psql', ['--version'], /\d+(\.\d+)+/)}`,
    redis: `Redis ${version('redis-server', ['--version'], /\d+\.\d+\.\d+/)}`,
  });
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, report);
  if (options.json)
    fs.writeFileSync(
      options.json,
      JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2),
    );
  console.log(summary(result));
  console.log(`report written to ${options.out}`);
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}

function treeFiles(tree: string): string[] {
  return (fs.readdirSync(tree, { recursive: true }) as string[]).filter((file) => file.endsWith('.parquet'));
}

function countFiles(tree: string): number {
  return treeFiles(tree).length;
}

function treeBytes(tree: string): number {
  return treeFiles(tree).reduce((sum, file) => sum + fs.statSync(path.join(tree, file)).size, 0);
}
