import { sleep } from '../stats.ts';
import type { Deployment, Role, Slot } from './deployment.ts';
import type { Turns } from './faults.ts';
import type { Random } from './random.ts';
import type { RecoveryWatch } from './recovery.ts';
import type { StoreWatch } from './store-watch.ts';

/** One `kill -9`. */
export interface Kill {
  slot: string;
  role: Role;
  pid: number;
  /** ms from the start of the chaos. */
  atMs: number;
  /** Jobs the store had leased to the process when it died (workers). */
  heldJobs: number;
}

export interface MonkeyOptions {
  deployment: Deployment;
  store: StoreWatch;
  recovery: RecoveryWatch;
  rng: Random;
  kills: number;
  /** Kills are spread over [first kill, workloadMs] from the start. */
  workloadMs: number;
  /** Share of kills aimed at workers (the rest at APIs). */
  workerShare: number;
  /** Share of worker kills that wait (up to 5 s) for a worker holding a job. */
  midJobShare: number;
  /** When the FLUSHALL comes, ms from the start. */
  flushAtMs: number;
  /**
   * After the FLUSHALL, workers are left alone (kills go to APIs) until the lost jobs ran again or
   * this long: a worker's start enqueues every queued job, which would hide whether the reconciler
   * brings them back.
   */
  flushQuietMs: number;
  /** How long the FLUSHALL waits for a backlog (jobs waiting in the queue) before it goes ahead. */
  flushWaitMs: number;
  /** Least time between two kills: a kill drawn sooner after the one before moves back. */
  killGapMs: number;
  /** The FLUSHALL takes a turn, so it never comes during another fault (a Redis restart, say). */
  turns: Turns;
  log: (message: string) => void;
}

/** Kills processes at random moments (each restarted at once by the deployment) and flushes Redis once. */
export class Monkey {
  readonly kills: Kill[] = [];
  /** ms from the start when the FLUSHALL came, and when the quiet time after it ended. */
  flush: { at: number; atMs: number; quietEndedMs: number | undefined } | undefined;
  private start = 0;

  constructor(private readonly options: MonkeyOptions) {}

  async run(start: number): Promise<void> {
    this.start = start;
    const { rng, kills, workloadMs, flushAtMs, killGapMs } = this.options;
    const moments = rng.moments(kills, Math.min(2_000, workloadMs / 10), workloadMs);
    for (let i = 1; i < moments.length; i++) {
      moments[i] = Math.max(moments[i]!, moments[i - 1]! + killGapMs);
    }
    const events: Array<{ atMs: number; flush: boolean }> = [
      ...moments.map((atMs) => ({ atMs, flush: false })),
      { atMs: flushAtMs, flush: true },
    ].sort((a, b) => a.atMs - b.atMs);
    // The FLUSHALL may wait for a backlog; the kills after it keep their spacing (shifted by that
    // wait) rather than come all at once, which would kill every worker within a second or two.
    let lateMs = 0;
    let lastKillAt = 0;
    for (const event of events) {
      // A kill that comes late (one before it waited for a busy worker, or for the store) still
      // keeps its distance from the last: late kills never come all at once.
      const due = start + event.atMs + lateMs;
      const wait = (event.flush ? due : Math.max(due, lastKillAt + killGapMs)) - Date.now();
      if (wait > 0) await sleep(wait);
      if (event.flush) {
        // The turn lasts until the lost jobs ran again: no other fault muddles their recovery.
        await this.options.turns.run(async () => {
          await this.flushAll(start);
          await this.flushRecovered();
        });
        lateMs = Math.max(0, Date.now() - (start + event.atMs));
      } else {
        await this.killOne(start);
        lastKillAt = Date.now();
      }
    }
  }

  private async killOne(start: number): Promise<void> {
    const { deployment, store, recovery, rng, workerShare, midJobShare, log } = this.options;
    const done = this.kills.length;
    // The first kill is a worker's mid-job, the second an API's; then the mix is random.
    let role: Role =
      done === 0 ? 'worker' : done === 1 ? 'serve' : rng.chance(workerShare) ? 'worker' : 'serve';
    const quiet = this.quiet();
    if (quiet) role = 'serve';
    const wantsBusy = role === 'worker' && (done === 0 || rng.chance(midJobShare));
    // While workers are left alone, an API kill waits for an API to be up rather than hit a worker.
    const victim = await this.chooseVictim(role, wantsBusy, !quiet);
    const { pid, killedAt } = await deployment.kill(victim);
    let held: string[] = [];
    if (victim.role === 'worker') {
      // The process is gone: what the store still leases to it waits for another worker.
      held = await whileStoreDown(() => store.heldBy(pid));
      if (held.length > 0) {
        recovery.trackKill({
          slot: victim.name,
          pid,
          killedAt,
          jobs: held,
          recoveredMs: {},
          leaseEndedMs: {},
          deliveryHeldMs: {},
        });
      }
    }
    this.kills.push({
      slot: victim.name,
      role: victim.role,
      pid,
      atMs: killedAt - start,
      heldJobs: held.length,
    });
    if (this.kills.length % 10 === 0) {
      log(`${this.kills.length} kills (${this.kills.filter((k) => k.role === 'worker').length} workers)`);
    }
  }

  /**
   * A live process of `role` (of the other role if none is up and `either`); a busy worker when
   * asked, if one turns up within 5 s.
   */
  private async chooseVictim(role: Role, busy: boolean, either: boolean): Promise<Slot> {
    const { deployment, store, rng } = this.options;
    const deadline = Date.now() + 5_000;
    for (;;) {
      const up = deployment.up(role);
      if (busy && up.length > 0) {
        const pids = deployment.workerPids();
        // During a PostgreSQL restart no worker can be seen busy: any live one will do.
        const held = (await store.busyPids().catch(() => []))
          .map((pid) => pids.get(pid))
          .filter((slot) => slot !== undefined);
        if (held.length > 0) return rng.pick(held);
        if (Date.now() < deadline) {
          await sleep(100);
          continue;
        }
      }
      if (up.length > 0) return rng.pick(up);
      const other = either ? deployment.up(role === 'worker' ? 'serve' : 'worker') : [];
      if (other.length > 0) return rng.pick(other);
      await sleep(200);
    }
  }

  private quiet(): boolean {
    const flush = this.flush;
    if (!flush || flush.quietEndedMs !== undefined) return false;
    const { recovery, flushQuietMs } = this.options;
    if (recovery.flushSettled || Date.now() - flush.at > flushQuietMs) {
      flush.quietEndedMs = Date.now() - this.start;
      return false;
    }
    return true;
  }

  /** Waits until every job the FLUSHALL lost ran again, or the quiet time after it is over. */
  private async flushRecovered(): Promise<void> {
    const { recovery, flushQuietMs } = this.options;
    const at = this.flush?.at ?? Date.now();
    while (!recovery.flushSettled && Date.now() - at < flushQuietMs) await sleep(200);
  }

  /**
   * FLUSHALL of the private Redis once every worker is up (a worker starting afterwards would
   * enqueue the lost jobs itself) and a backlog of jobs waits in the queue (waits up to
   * `flushWaitMs` for both).
   */
  private async flushAll(start: number): Promise<void> {
    const { deployment, store, recovery, log } = this.options;
    const workers = deployment.slots.filter((slot) => slot.role === 'worker').length;
    const deadline = Date.now() + this.options.flushWaitMs;
    // A backlog: more jobs queued for half a second or more (no free slot took them) than the
    // workers' slots (one count and one export slot each) can take in the second after the flush.
    const backlog = 2 * workers + 1;
    let seen = new Set(await store.queuedJobs());
    while (Date.now() < deadline) {
      await sleep(500);
      const queued = await store.queuedJobs();
      const waited = queued.filter((id) => seen.has(id)).length;
      if (deployment.up('worker').length === workers && waited >= backlog) break;
      seen = new Set(queued);
    }
    const before = await store.queuedJobs();
    const at = Date.now();
    await deployment.redis.flushAll();
    // A delivery a worker had already taken is claimed within milliseconds: a job still queued a
    // second later had its delivery in Redis, and lost it.
    this.flush = { at, atMs: at - start, quietEndedMs: undefined };
    await sleep(1_000);
    const after = new Set(await store.queuedJobs());
    const lost = before.filter((id) => after.has(id));
    recovery.trackFlush({ at, lost, reenqueuedMs: {}, ranMs: {} });
    log(`FLUSHALL at ${((at - start) / 1000).toFixed(1)} s: ${lost.length} queued jobs lost their delivery`);
  }
}

/**
 * Runs a store query, again every half second while PostgreSQL is down (a restart under way), for
 * up to a minute: a kill during an outage reads what the dead worker held once the store is back.
 */
async function whileStoreDown<T>(query: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await query();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}
