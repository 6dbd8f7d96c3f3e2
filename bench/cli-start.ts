/**
 * How long the command line takes to start, as a user sees it: section 19 of `npm run bench`, and
 * on its own `npm run bench:cli` (`node --import tsx bench/cli-start.ts [--runs N]`) against a server
 * it starts over a small demo tree.
 *
 * - `audiences --help` against `node -e 0`: the command line's own start (target: at most 300 ms).
 * - `audiences count --json` against the same call made with the client inside this process
 *   (create the count-only task, wait for it): the command line's overhead on a real call (at most
 *   300 ms).
 *
 * Each pair runs in turn (A B A B ...), after one run of each that is not counted. The compiled
 * command line is built first (`build:dist --js-only`), so bin/audiences.js runs this checkout's code.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnServer } from '../harness/server-process.ts';
import { AudiencesClient, type IntentTaskBody } from '../src/client/index.ts';
import { demoDays, demoPrefixes, generateDemoData } from '../src/demo/demo-data.ts';
import { median, ms } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/audiences.js');
export const CLI_TARGET_MS = 300;

/** Every timed run of one section 19 (milliseconds, in the order they ran). */
export interface CliStartResult {
  helpMs: number[];
  nodeMs: number[];
  countMs: number[];
  clientMs: number[];
}

/** The command line's own start: `--help` less bare node (medians). */
export function helpOverheadMs(result: CliStartResult): number {
  return median(result.helpMs) - median(result.nodeMs);
}

/** The command line's overhead on a count: the CLI's count less the client's (medians). */
export function countOverheadMs(result: CliStartResult): number {
  return median(result.countMs) - median(result.clientMs);
}

/** Wall milliseconds of one process, from spawn to exit; fails unless it exits 0. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** A and B run in turn, `runs` times each, after one uncounted run of each. */
async function pair(runs: number, a: () => Promise<number>, b: () => Promise<number>) {
  await a();
  await b();
  const times = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.a.push(await a());
    times.b.push(await b());
  }
  return times;
}

/**
 * Times the command line against `url` (a running service whose intent tree holds `day` and
 * `prefix`), under a fresh user and a HOME of its own, so no saved profile is read.
 */
export async function measureCliStart(
  url: string,
  at: { day: string; prefix: string },
  runs: number,
): Promise<CliStartResult> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'harness/build-dist.ts', '--js-only'], {
    cwd: root,
  });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-start-'));
  try {
    const plain = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') };
    const help = await pair(
      runs,
      () => timeProcess([bin, '--help'], plain),
      () => timeProcess(['-e', '0'], plain),
    );
    const client = new AudiencesClient({ baseUrl: url });
    const email = `cli-start-${Date.now()}@example.com`;
    const password = 'violet-Tangerine-Harbor-42';
    await client.register({
      email,
      password,
      first_name: 'Ada',
      last_name: 'Lovelace',
      organization_name: 'Command line start',
    });
    await client.login({ email, password });
    const { api_key: apiKey } = await client.createKey({ name: 'cli-start' });
    const user = new AudiencesClient({ baseUrl: url, apiKey });
    const body: IntentTaskBody = { days: [at.day], topic_id_prefixes: [at.prefix], scores: ['high'] };
    const env = { ...plain, AUDIENCES_URL: url, AUDIENCES_API_KEY: apiKey };
    const count = await pair(
      runs,
      () =>
        timeProcess(
          [bin, 'count', '--days', at.day, '--prefixes', at.prefix, '--scores', 'high', '--json'],
          env,
        ),
      async () => {
        const started = performance.now();
        const { task_id } = await user.createIntentTask({ ...body, perform_unload: false });
        await user.waitFor(task_id, { until: 'counted' });
        return performance.now() - started;
      },
    );
    return { helpMs: help.a, nodeMs: help.b, countMs: count.a, clientMs: count.b };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The section's figures, one line each (what `npm run bench:cli` prints). */
export function cliStartLines(result: CliStartResult): string[] {
  const line = (label: string, value: number, spread?: number[]) => {
    const range = spread ? ` (min ${ms(Math.min(...spread))}, max ${ms(Math.max(...spread))})` : '';
    return `${label.padEnd(44)} ${ms(value).padStart(9)}${range}`;
  };
  return [
    line('audiences --help', median(result.helpMs), result.helpMs),
    line('node -e 0', median(result.nodeMs)),
    line(`--help start over bare node (target ≤ ${CLI_TARGET_MS} ms)`, helpOverheadMs(result)),
    line('audiences count --json', median(result.countMs), result.countMs),
    line('the same count with the client, in process', median(result.clientMs)),
    line(`command line overhead on a count (target ≤ ${CLI_TARGET_MS} ms)`, countOverheadMs(result)),
  ];
}

const TREE = { rows: 300_000, days: 3, prefixes: 4, seed: 7, startDay: '2024-05-01' };

/** `npm run bench:cli`: a server of its own over a small intent tree, kept between runs. */
async function main(runs: number): Promise<void> {
  const tree = path.join(os.tmpdir(), `audiences-cli-start-tree-${Object.values(TREE).join('-')}`);
  if (!fs.existsSync(path.join(tree, '.complete'))) {
    fs.rmSync(tree, { recursive: true, force: true });
    await generateDemoData({ out: tree, ...TREE });
    fs.writeFileSync(path.join(tree, '.complete'), new Date().toISOString());
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-start-data-'));
  const server = await spawnServer({
    DATA_DIR: dataDir,
    INTENT_INPUT_PATH: tree,
    LOCAL_INPUT_ROOTS: tree,
    LOG_LEVEL: 'warn',
  });
  try {
    const [day] = demoDays(TREE.startDay, 1);
    const [prefix] = demoPrefixes(TREE.prefixes);
    const result = await measureCliStart(server.url, { day: day!, prefix: prefix! }, runs);
    for (const text of cliStartLines(result)) console.log(text);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsFlag = process.argv.indexOf('--runs');
  await main(runsFlag < 0 ? 10 : Number(process.argv[runsFlag + 1]));
}
