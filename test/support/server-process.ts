import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** A command of `bin/audiences.js` a test runs as its own process. */
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
  /** Sends the signal and waits for the exit (SIGTERM falls back to SIGKILL after 15 s). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
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

function childEnv(env: ProcessEnv): NodeJS.ProcessEnv {
  const merged: ProcessEnv = { ...process.env, DEMO_DATA: '0', RATE_LIMIT_PER_MINUTE: '100000', ...env };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function launch(command: AudiencesCommand, env: ProcessEnv, capture: boolean) {
  const output: Buffer[] = [];
  const child = spawn(process.execPath, [path.join(root, 'bin/audiences.js'), command], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
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
  options: { capture?: boolean } = {},
): Promise<ServerProcess> {
  const worker = command === 'worker';
  const portVariable = worker ? 'METRICS_PORT' : 'PORT';
  const port = env[portVariable] ?? String(await freePort());
  const { child, output, exited } = launch(command, { ...env, [portVariable]: port }, !!options.capture);
  const url = `http://127.0.0.1:${port}`;
  const readiness = `${url}${worker ? '/metrics' : '/healthz'}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(readiness)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) {
      throw new Error(`audiences ${command} exited: ${Buffer.concat(output).toString('utf8')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`audiences ${command} did not start: ${Buffer.concat(output).toString('utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    output,
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
export function spawnServer(env: ProcessEnv, options: { capture?: boolean } = {}): Promise<ServerProcess> {
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
