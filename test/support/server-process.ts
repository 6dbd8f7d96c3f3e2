import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  /** Everything the process wrote to stdout and stderr (when captured). */
  output: Buffer[];
  /** Sends the signal and waits for the exit (SIGTERM falls back to SIGKILL after 15 s). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
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
 * Starts `audiences start` as its own process, the way `npm start` does, and waits for /healthz.
 * Tests may poll; the service itself never does.
 */
export async function spawnServer(env: Record<string, string>, options: { capture?: boolean } = {}) {
  const port = env.PORT ?? String(await freePort());
  const output: Buffer[] = [];
  const child = spawn(process.execPath, [path.join(root, 'bin/audiences.js'), 'start'], {
    cwd: root,
    env: { ...process.env, DEMO_DATA: '0', RATE_LIMIT_PER_MINUTE: '100000', ...env, PORT: port },
    stdio: ['ignore', options.capture ? 'pipe' : 'ignore', options.capture ? 'pipe' : 'inherit'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`server exited: ${Buffer.concat(output).toString('utf8')}`);
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const server: ServerProcess = {
    url,
    output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill(signal);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return server;
}
