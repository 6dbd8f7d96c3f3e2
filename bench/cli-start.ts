/**
 * `npm run bench:cli` (`node --import tsx bench/cli-start.ts [--runs N]`): how long the command line
 * takes to start, as a user sees it.
 *
 * - `audiences --help` against `node -e 0`: the command line's own start (targets: at most 300 ms).
 * - `audiences count --json` against the same call made with the client inside this process
 *   (create the count-only task, wait for it): the command line's overhead on a real call (at most
 *   300 ms), against a server started for the purpose over a small demo tree.
 *
 * Each pair runs in turn (A B A B ...), after one run of each that is not counted, and the medians
 * are printed. It builds dist/ first, so bin/audiences.js runs the compiled command line.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnServer } from '../harness/server-process.ts';
import { AudiencesClient, type IntentTaskBody } from '../src/client/index.ts';
import { demoDays, demoPrefixes, generateDemoData } from '../src/demo/demo-data.ts';
import { median, ms } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/audiences.js');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag < 0 ? 10 : Number(process.argv[runsFlag + 1]);
const TARGET_MS = 300;
const TREE = { rows: 300_000, days: 3, prefixes: 4, seed: 7, startDay: '2024-05-01' };

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

/** Medians of A and B, run in turn after one uncounted run of each. */
async function pair(a: () => Promise<number>, b: () => Promise<number>) {
  await a();
  await b();
  const times = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    times.a.push(await a());
    times.b.push(await b());
  }
  return { a: median(times.a), b: median(times.b), spreadA: [Math.min(...times.a), Math.max(...times.a)] };
}

function line(label: string, value: number, spread?: number[]): string {
  const range = spread ? ` (min ${ms(spread[0]!)}, max ${ms(spread[1]!)})` : '';
  return `${label.padEnd(44)} ${ms(value).padStart(9)}${range}`;
}

/** A small intent tree, kept between runs in the temporary folder. */
async function demoTree(): Promise<string> {
  const dir = path.join(os.tmpdir(), `audiences-cli-start-tree-${Object.values(TREE).join('-')}`);
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generateDemoData({ out: dir, ...TREE });
    fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
  }
  return dir;
}

await promisify(execFile)('npm', ['run', '--silent', 'build:dist'], { cwd: root });
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-start-'));
const plain = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') };

const help = await pair(
  () => timeProcess([bin, '--help'], plain),
  () => timeProcess(['-e', '0'], plain),
);
console.log(line('audiences --help', help.a, help.spreadA));
console.log(line('node -e 0', help.b));
console.log(line(`--help start over bare node (target ≤ ${TARGET_MS} ms)`, help.a - help.b));

const tree = await demoTree();
const dataDir = path.join(home, 'data');
const server = await spawnServer({
  DATA_DIR: dataDir,
  INTENT_INPUT_PATH: tree,
  LOCAL_INPUT_ROOTS: tree,
  LOG_LEVEL: 'warn',
});
try {
  const client = new AudiencesClient({ baseUrl: server.url });
  const email = `bench-${Date.now()}@example.com`;
  const password = 'violet-Tangerine-Harbor-42';
  await client.register({
    email,
    password,
    first_name: 'Ada',
    last_name: 'Lovelace',
    organization_name: 'Bench',
  });
  await client.login({ email, password });
  const { api_key: apiKey } = await client.createKey({ name: 'cli-start' });
  const user = new AudiencesClient({ baseUrl: server.url, apiKey });
  const [day] = demoDays(TREE.startDay, 1);
  const [prefix] = demoPrefixes(TREE.prefixes);
  const body: IntentTaskBody = { days: [day!], topic_id_prefixes: [prefix!], scores: ['high'] };
  const env = { ...plain, AUDIENCES_URL: server.url, AUDIENCES_API_KEY: apiKey };
  const count = await pair(
    () =>
      timeProcess([bin, 'count', '--days', day!, '--prefixes', prefix!, '--scores', 'high', '--json'], env),
    async () => {
      const started = performance.now();
      const { task_id } = await user.createIntentTask({ ...body, perform_unload: false });
      await user.waitFor(task_id, { until: 'counted' });
      return performance.now() - started;
    },
  );
  console.log(line('audiences count --json', count.a, count.spreadA));
  console.log(line('the same count with the client, in process', count.b));
  console.log(line(`command line overhead on a count (target ≤ ${TARGET_MS} ms)`, count.a - count.b));
} finally {
  await server.stop();
  fs.rmSync(home, { recursive: true, force: true });
}
