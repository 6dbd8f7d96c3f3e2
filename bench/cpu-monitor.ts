import fs from 'node:fs';

/** Linux clock ticks per second (USER_HZ), 100 on every mainstream kernel. */
const HZ = 100;

interface Snapshot {
  atMs: number;
  /** Busy ticks of the whole machine. */
  machine: number;
  /** Ticks of this harness, its reaped children and its live descendants. */
  ours: number;
}

export interface CpuLoad {
  seconds: number;
  /** Average cores busy with this benchmark (harness, servers, DuckDB). */
  oursCores: number;
  /** Average cores busy with anything else on the machine (other users' builds and tests). */
  foreignCores: number;
  /** Other work's cores in earlier attempts of the section that were discarded as disturbed. */
  disturbedAttempts?: number[];
}

/** Other processes above this many cores on average make a section's figures suspect. */
export const NOISY_CORES = 0.25;

function machineBusy(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

/** utime, stime, cutime, cstime and ppid of a process from /proc/{pid}/stat. */
export function processTicks(pid: number): { ppid: number; own: number; reaped: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    const n = (field: number) => Number(fields[field - 3]);
    return { ppid: n(4), own: n(14) + n(15), reaped: n(16) + n(17) };
  } catch {
    return undefined;
  }
}

/** Fragments of process titles whose processes count as this benchmark's (see `countAsOurs`). */
const adopted = new Set<string>();

/**
 * Counts the processes whose command line contains `fragment` as this benchmark's, though they are
 * not its children: the PostgreSQL backends of a deployment's database (their title names it).
 * Returns the function that stops counting them.
 */
export function countAsOurs(fragment: string): () => void {
  adopted.add(fragment);
  return () => adopted.delete(fragment);
}

function isAdopted(pid: number): boolean {
  try {
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    for (const fragment of adopted) if (command.includes(fragment)) return true;
  } catch {
    // gone
  }
  return false;
}

function ourTicks(): number {
  const root = process.pid;
  const all = new Map<number, { ppid: number; own: number; reaped: number }>();
  let total = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ticks = processTicks(Number(name));
    if (!ticks) continue;
    all.set(Number(name), ticks);
    if (adopted.size > 0 && isAdopted(Number(name))) total += ticks.own;
  }
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const ticks = all.get(pid);
    if (ticks) total += ticks.own + ticks.reaped;
    for (const [child, info] of all) if (info.ppid === pid) stack.push(child);
  }
  return total;
}

/**
 * How busy the machine was, split into this benchmark and everything else, so a report can say
 * when other work on a shared machine disturbed the figures. Linux only; elsewhere it reports 0.
 */
export class CpuMonitor {
  private readonly enabled = fs.existsSync('/proc/stat');

  mark(): Snapshot {
    if (!this.enabled) return { atMs: performance.now(), machine: 0, ours: 0 };
    return { atMs: performance.now(), machine: machineBusy(), ours: ourTicks() };
  }

  since(start: Snapshot): CpuLoad {
    const end = this.mark();
    const seconds = (end.atMs - start.atMs) / 1000;
    const ours = (end.ours - start.ours) / HZ;
    const machine = (end.machine - start.machine) / HZ;
    return {
      seconds,
      oursCores: seconds > 0 ? ours / seconds : 0,
      foreignCores: seconds > 0 ? Math.max(0, machine - ours) / seconds : 0,
    };
  }
}

/**
 * Waits (up to `maxMs`) until other processes use less than `cores` cores over a `windowMs`
 * window, so a section starts on a quiet machine when the machine is shared. Returns the time waited.
 */
export async function waitForQuiet(
  monitor: CpuMonitor,
  options: { cores: number; windowMs: number; maxMs: number; log: (m: string) => void },
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const mark = monitor.mark();
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const load = monitor.since(mark);
    const waited = performance.now() - started;
    if (load.foreignCores < options.cores) return waited;
    if (waited >= options.maxMs) {
      options.log(`machine still busy (${load.foreignCores.toFixed(2)} cores of other work); going on`);
      return waited;
    }
    options.log(`waiting for a quieter machine (${load.foreignCores.toFixed(2)} cores of other work)`);
  }
}
