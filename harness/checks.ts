import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileTime } from './file-times-reporter.ts';

/**
 * `npm run check` and `npm test`: the static checks side by side instead of one after another, and
 * with `--tests` the test run (`vitest run`, given the arguments that follow `--tests`) beside them,
 * after `npm run build:dist`: the command line the tests start (bin/audiences.js) then runs compiled
 * code built from these sources (when the build fails, bin/audiences.js runs the sources instead).
 *
 * The tests print as they go; each check prints one line when it ends, and its whole output at the
 * end, in the order below, so outputs never interleave. Beside the tests the checks run at a lower
 * CPU priority: they take the time the tests leave idle, and do not slow down tests that wait for a
 * server or a job within a bound. Any part that fails (or cannot start) makes the exit code 1, and
 * the summary at the end names it, and names each failed test with the first line of its error (the
 * tests' own report is far above by then: a CI log that keeps only its end still says what failed).
 */

const root = path.resolve(import.meta.dirname, '..');

interface Part {
  name: string;
  command: string;
  args: string[];
  /** Print as it goes (the tests) rather than in one piece at the end (a check). */
  live?: boolean;
  /** Variables added to the environment of this part. */
  env?: NodeJS.ProcessEnv;
}

const CHECKS: Part[] = [
  { name: 'tsc', command: 'tsc', args: ['--noEmit'] },
  { name: 'tsc (web)', command: 'tsc', args: ['--noEmit', '-p', 'web'] },
  { name: 'biome', command: 'biome', args: ['check', 'src', 'test', 'bench', 'harness', 'web'] },
  { name: 'depcruise', command: 'depcruise', args: ['src'] },
];

const BUILD: Part = {
  name: 'build',
  command: 'node',
  args: ['--import', 'tsx', 'harness/build-dist.ts', '--js-only'],
};

/**
 * The tests, and the services they start, allocate with jemalloc where the system has it (Debian's
 * `libjemalloc2`, which its Redis package brings), unless `AUDIENCES_TEST_MALLOC=system`. Each job
 * opens and closes a DuckDB instance, and DuckDB then hands glibc's free memory back to the system
 * (`malloc_trim`), up to ten times a second in a busy test process: the process faults it all in
 * again. With jemalloc, glibc's heap is nearly empty and the memory is kept: on 2 cores, the
 * scaled-out task suite alone took 86 CPU-s instead of 131 (docs/testing.md).
 */
const JEMALLOC = process.env.AUDIENCES_TEST_MALLOC === 'system' ? undefined : jemalloc();
const ALLOCATOR: NodeJS.ProcessEnv = JEMALLOC
  ? { LD_PRELOAD: [JEMALLOC, process.env.LD_PRELOAD].filter(Boolean).join(' ') }
  : {};

/**
 * The Python client's checks (ruff, mypy --strict, pytest against the real server), when asked for
 * with AUDIENCES_PYTHON_CHECKS=1 (CI makes their environment first): beside the tests once the
 * build is done, as their server runs the compiled code too.
 */
const PYTHON: Part = {
  name: 'python client',
  command: 'bash',
  args: ['clients/python/run-tests.sh'],
  env: ALLOCATOR,
};
const PYTHON_CHECKS = process.env.AUDIENCES_PYTHON_CHECKS === '1';

/** Debian's jemalloc in its multiarch folder (`/usr/lib/<architecture>/`), whatever the architecture. */
function jemalloc(): string | undefined {
  const lib = '/usr/lib';
  if (!existsSync(lib)) return undefined;
  const folders = readdirSync(lib, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  return folders
    .map((folder) => path.join(lib, folder.name, 'libjemalloc.so.2'))
    .find((file) => existsSync(file));
}

/** Vitest's JSON report of the run, read at the end to name the failed tests. */
const TEST_REPORT = path.join(os.tmpdir(), `audiences-vitest-${process.pid}.json`);

/** Each test file's times (`harness/file-times-reporter.ts`), read at the end to name the slowest. */
const FILE_TIMES = path.join(os.tmpdir(), `audiences-file-times-${process.pid}.json`);

const TESTS: Part = {
  name: 'vitest',
  command: 'vitest',
  args: [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${TEST_REPORT}`,
    '--reporter=./harness/file-times-reporter.ts',
  ],
  live: true,
  env: ALLOCATOR,
};

/** Test files the summary names, slowest first: where the suite's time goes, in every CI log. */
const SLOWEST_SHOWN = 12;

/** Checks beside the tests run this much nicer than the tests. */
const CHECK_NICENESS = 10;

interface Outcome {
  part: Part;
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  output: string;
  error?: Error;
}

const env = {
  ...process.env,
  AUDIENCES_FILE_TIMES: FILE_TIMES,
  PATH: [path.join(root, 'node_modules', '.bin'), process.env.PATH].filter(Boolean).join(path.delimiter),
};
const children = new Set<ChildProcess>();

function label(part: Part): string {
  return [part.command, ...part.args].join(' ');
}

function run(part: Part, niceness: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const output: Buffer[] = [];
    const child = spawn(part.command, part.args, {
      cwd: root,
      env: { ...env, ...part.env },
      stdio: part.live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    if (niceness !== 0 && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, niceness);
      } catch {
        // Not allowed here: the check runs at the usual priority.
      }
    }
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    let failure: Error | undefined;
    child.on('error', (error) => {
      failure = error;
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      const outcome: Outcome = {
        part,
        code,
        signal,
        seconds: (performance.now() - started) / 1000,
        output: Buffer.concat(output).toString('utf8').trimEnd(),
        error: failure,
      };
      if (!part.live) process.stdout.write(`── ${label(part)}: ${verdict(outcome)}\n`);
      resolve(outcome);
    });
  });
}

function passed(outcome: Outcome): boolean {
  return outcome.code === 0 && !outcome.error;
}

function verdict(outcome: Outcome): string {
  const time = `${outcome.seconds.toFixed(1)} s`;
  if (passed(outcome)) return `ok (${time})`;
  if (outcome.error) return `FAILED to start: ${outcome.error.message}`;
  return `FAILED (${outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.code}`}, ${time})`;
}

// Stopped from outside (a cancelled CI job): stop every part too, then end as they would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exitCode = 1;
  });
}

const args = process.argv.slice(2);
const tests = args.indexOf('--tests');
TESTS.args.push(...(tests < 0 ? [] : args.slice(tests + 1)));
/** The build, then the tests (and the Python client's checks), which run what it built. */
async function buildAndTest(): Promise<Outcome[]> {
  const built = await run(BUILD, 0);
  const python = PYTHON_CHECKS ? [run(PYTHON, CHECK_NICENESS)] : [];
  return [built, ...(await Promise.all([run(TESTS, 0), ...python]))];
}

const outcomes = (
  await Promise.all([
    ...CHECKS.map(async (part) => [await run(part, tests < 0 ? 0 : CHECK_NICENESS)]),
    ...(tests < 0 ? [] : [buildAndTest()]),
  ])
).flat();

for (const outcome of outcomes) {
  if (outcome.part.live) continue;
  process.stdout.write(`\n── ${label(outcome.part)}: ${verdict(outcome)}\n`);
  if (outcome.output) process.stdout.write(`${outcome.output}\n`);
}
process.stdout.write('\n');
for (const outcome of outcomes) {
  process.stdout.write(`${verdict(outcome).padEnd(36)} ${label(outcome.part)}\n`);
}
const failed = outcomes.filter((outcome) => !passed(outcome));
if (tests >= 0)
  process.stdout.write(`${slowestFiles()}The tests allocated with ${JEMALLOC ?? "glibc's malloc"}.\n`);
if (failed.some((outcome) => outcome.part === TESTS)) process.stdout.write(failedTests(readReport()));
rmSync(TEST_REPORT, { force: true });
rmSync(FILE_TIMES, { force: true });
if (failed.length > 0) {
  const names = failed.map((outcome) => outcome.part.name).join(', ');
  process.stdout.write(`\n${failed.length} of ${outcomes.length} failed: ${names}\n`);
  process.exitCode = 1;
}

interface TestReport {
  testResults?: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults?: Array<{ fullName: string; status: string; failureMessages?: string[] }>;
  }>;
}

/** Vitest's JSON report of the run, or why there is none. */
function readReport(): TestReport | string {
  try {
    return JSON.parse(readFileSync(TEST_REPORT, 'utf8')) as TestReport;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The slowest test files (importing them, then their hooks and tests, waits included) and the
 * seconds of all files summed: beside the run's wall time, how well files overlap.
 */
function slowestFiles(): string {
  let times: FileTime[];
  try {
    times = JSON.parse(readFileSync(FILE_TIMES, 'utf8')) as FileTime[];
  } catch (error) {
    return `\nNo test file times (${(error as Error).message}).\n`;
  }
  const files = times
    .map((time) => ({
      name: path.relative(root, time.file),
      seconds: (time.importMs + time.runMs) / 1000,
      imports: time.importMs / 1000,
    }))
    .sort((a, b) => b.seconds - a.seconds);
  const sum = files.reduce((total, file) => total + file.seconds, 0);
  const imports = files.reduce((total, file) => total + file.imports, 0);
  const lines = files
    .slice(0, SLOWEST_SHOWN)
    .map((file) => `  ${file.seconds.toFixed(1).padStart(7)} s  ${file.name}`);
  return (
    `\nSlowest test files (of ${files.length}; ${sum.toFixed(0)} s summed, ${imports.toFixed(0)} s of it importing):\n` +
    `${lines.join('\n')}\n`
  );
}

/** The failed test files and tests of the JSON report, a line each, or why there is no list. */
function failedTests(report: TestReport | string): string {
  if (typeof report === 'string') return `\nNo list of failed tests (${report}).\n`;
  const firstLine = (text: string | undefined) => (text ?? '').trim().split('\n')[0]?.slice(0, 300) ?? '';
  const lines: string[] = [];
  for (const file of report.testResults ?? []) {
    const where = path.relative(root, file.name);
    const tests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of tests)
      lines.push(`  ${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (tests.length === 0 && file.status === 'failed') lines.push(`  ${where}: ${firstLine(file.message)}`);
  }
  return `\nFailed tests (${lines.length}):\n${lines.join('\n')}\n`;
}
