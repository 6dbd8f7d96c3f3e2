import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './stats.ts';

/** A server running as a child process of the harness, so its CPU and memory are its own. */
export class ChildServer {
  private static readonly live = new Set<ChildProcess>();
  private exited: Promise<number | null>;
  private output = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
  ) {
    const log = fs.createWriteStream(logFile);
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    ChildServer.live.add(child);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        ChildServer.live.delete(child);
        resolve(code);
      }),
    );
    this.exited.then(() => log.end());
  }

  /** Kills every child this harness started and has not seen exit (on Ctrl-C). */
  static killAll(): void {
    for (const child of ChildServer.live) child.kill('SIGKILL');
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last lines the server printed (for error messages). */
  get recentOutput(): string {
    return this.output;
  }

  /**
   * Spawns `node {args}` in `cwd` with `env` (plus HOST and a free port in `portVariable`), and
   * waits until `readyPath` answers 200 on that port.
   */
  static async start(options: {
    name: string;
    cwd: string;
    args: string[];
    env: Record<string, string>;
    logFile: string;
    readyPath: string;
    /** The variable that takes the port (a worker's is METRICS_PORT). @defaultValue `'PORT'` */
    portVariable?: string;
    timeoutMs?: number;
  }): Promise<ChildServer> {
    const port = await freePort();
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        [options.portVariable ?? 'PORT']: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ChildServer(options.name, child, `http://127.0.0.1:${port}`, options.logFile);
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    let exitCode: number | null | undefined;
    server.exited.then((code) => {
      exitCode = code;
    });
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`${options.name} exited (${exitCode}) before it was ready:\n${server.output}`);
      }
      try {
        const reply = await fetch(server.url + options.readyPath);
        if (reply.status === 200) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${options.name} was not ready within the timeout:\n${server.output}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Resident and peak resident memory of a process, in bytes, from /proc (Linux). */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: field('VmRSS') * 1024, hwm: field('VmHWM') * 1024 };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; also keeps the kernel's peak (VmHWM). */
export class RssSampler {
  readonly samples: Array<{ atMs: number; rss: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();
  peakHwm = 0;

  constructor(
    private readonly pid: number,
    everyMs = 20,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const memory = readMemory(this.pid);
    if (!memory) return;
    this.samples.push({ atMs: performance.now() - this.started, rss: memory.rss });
    this.peakHwm = Math.max(this.peakHwm, memory.hwm);
  }

  stop(): { peakSampled: number; peakHwm: number; samples: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return {
      peakSampled: Math.max(0, ...this.samples.map((s) => s.rss)),
      peakHwm: this.peakHwm,
      samples: this.samples.length,
    };
  }
}
