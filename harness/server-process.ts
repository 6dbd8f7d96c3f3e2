import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * Runs `bin/audiences.js` commands as processes of their own, the way an operator does: the tests
 * (test/) and the chaos run (bench/chaos/) share it. Nothing here imports Vitest.
 */

const root = path.resolve(import.meta.dirname, '..');

/** A command of `bin/audiences.js` run as its own process. */
export type AudiencesCommand = 'start' | 'serve' | 'worker' | 'migrate';

/**
 * The environment of a child process: the test's own, then these values. `undefined` removes a
 * variable the test's environment has, so a test can say "without DATABASE_URL" and mean it.
 */
export type ProcessEnv = Record<string, string | undefined>;

export interface ServerProcess {
  /** The API (`start`, `serve`) or the metrics server on METRICS_PORT (`worker`). */
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr (when captured). */
  output: Buffer[];
  /** Settles when the process has exited, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Sends the signal and waits for the exit (SIGTERM falls back to SIGKILL after 15 s). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
}

export interface SpawnOptions {
  /** Keep stdout and stderr in `output`. */
  capture?: boolean;
  /** Append stdout and stderr to this file (a long run's logs, kept out of memory). */
  logFile?: string;
  /** How long the process may take to become ready. @defaultValue 30 s */
  readyTimeoutMs?: number;
}

export interface CommandResult {
  /** The exit code (null when a signal ended the process). */
  code: number | null;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A port of 127.0.0.1 that refuses connections and keeps refusing them while other tests run: one
 * below the ephemeral range that every server listening on port 0 is given its port from, so that,
 * unlike a port freed by `freePort`, no other test's server can take it meanwhile. The first of a
 * few well-known ports that nothing on this machine listens on.
 */
export async function refusedPort(): Promise<number> {
  for (const port of [9, 1, 7, 13, 19]) if (await refuses(port)) return port;
  throw new Error('ports 1, 7, 9, 13 and 19 of 127.0.0.1 all take connections on this machine');
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

function childEnv(env: ProcessEnv): NodeJS.ProcessEnv {
  const merged: ProcessEnv = { ...process.env, DEMO_DATA: '0', RATE_LIMIT_PER_MINUTE: '100000', ...env };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function launch(command: AudiencesCommand, env: ProcessEnv, capture: boolean, logFile?: string) {
  const output: Buffer[] = [];
  const piped = capture || logFile !== undefined;
  const child = spawn(process.execPath, [path.join(root, 'bin/audiences.js'), command], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', piped ? 'pipe' : 'ignore', piped ? 'pipe' : 'inherit'],
  });
  const log = logFile === undefined ? undefined : fs.createWriteStream(logFile, { flags: 'a' });
  const keep = (chunk: Buffer) => {
    if (capture) output.push(chunk);
    log?.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('close', () => log?.end());
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // After 'exit', once stdout and stderr are drained too.
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, exited, closed };
}

/**
 * Starts a long-running command (`start`, `serve`, `worker`) as its own process, the way an operator
 * does, and waits until it is ready: `/healthz` for an API, `/metrics` on METRICS_PORT for a worker
 * (one is picked when the environment names none). Tests may poll; the service itself never does.
 */
export async function spawnCommand(
  command: Exclude<AudiencesCommand, 'migrate'>,
  env: ProcessEnv,
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const worker = command === 'worker';
  const portVariable = worker ? 'METRICS_PORT' : 'PORT';
  const port = env[portVariable] ?? String(await freePort());
  const { child, output, exited } = launch(
    command,
    { ...env, [portVariable]: port },
    !!options.capture,
    options.logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  const readiness = `${url}${worker ? '/metrics' : '/healthz'}`;
  const said = () => Buffer.concat(output).toString('utf8') || `see ${options.logFile ?? 'its stderr'}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    try {
      if ((await fetch(readiness)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`audiences ${command} exited: ${said()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`audiences ${command} did not start: ${said()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill(signal);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Starts `audiences start` (the API with its in-process worker), the way `npm start` does. */
export function spawnServer(env: ProcessEnv, options: SpawnOptions = {}): Promise<ServerProcess> {
  return spawnCommand('start', env, options);
}

/**
 * Runs a command to its end (`migrate`, or a start that must fail) and returns its exit code and
 * output. A process still running after `timeoutMs` is killed and the call fails with its output.
 */
export async function runCommand(
  command: AudiencesCommand,
  env: ProcessEnv,
  options: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  const { child, output, closed } = launch(command, env, true);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const code = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    await closed;
    throw new Error(
      `audiences ${command} still ran after ${timeoutMs} ms: ${Buffer.concat(output).toString('utf8')}`,
    );
  }
  return { code, output: Buffer.concat(output).toString('utf8') };
}
