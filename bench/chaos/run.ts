/**
 * `npm run chaos`: a scaled-out deployment under kills and a Redis FLUSHALL, then checks that
 * nothing was lost or doubled; writes RELIABILITY.md. See `npm run chaos -- --help`.
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
  const numbers = ['tasks', 'kills', 'seed', 'orgs', 'rows', 'days', 'prefixes'] as const;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    const name = flag.replace(/^--/, '');
    if ((numbers as readonly string[]).includes(name)) {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} must be a whole number`);
      options[name as (typeof numbers)[number]] = n;
    } else if (flag === '--duration') options.durationSec = Number(value());
    else if (flag === '--tree') options.tree = path.resolve(value());
    else if (flag === '--out') options.out = path.resolve(value());
    else if (flag === '--json') options.json = path.resolve(value());
    else if (flag === '--work') options.work = path.resolve(value());
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--quiet') options.quiet = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${USAGE}`);
  }
  return options;
}

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
