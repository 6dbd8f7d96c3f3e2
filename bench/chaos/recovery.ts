import type { PrivateRedis } from '../../harness/private-redis.ts';
import { sleep } from '../stats.ts';
import { Deployment } from './deployment.ts';
import type { StoreWatch } from './store-watch.ts';
import type { Checks } from './verify.ts';

/**
 * The bound src/jobs/worker-liveness.ts sets: a dead worker is taken for dead 4 s after its last beat
 * (beats come every second, so at most 4 s after the kill), at a live worker's next beat (1 s); its
 * jobs' leases end then and the reconciler redelivers them at the front of the queue; 5 s for the
 * queue and a claim here.
 */
export const RECOVERY_BOUND_MS = 10_000;
export const RECOVERY_BOUND_CHECK = "a killed worker's jobs ran again within 10 s of the kill";
/**
 * The bound the reconciler sets on a FLUSHALL (or a Redis restarted empty): its passes come every
 * 5 s, and the first one after the loss finds the queue's marker key gone and enqueues every queued
 * job; 10 s leaves room for a pass that is itself slow.
 */
export const FLUSH_BOUND_MS = 10_000;
export const FLUSH_BOUND_CHECK = 'every queued job the FLUSHALL lost was enqueued again within 10 s';

/** A worker kill that left jobs behind, as the report shows it (ms from the start of the chaos, or from the kill). */
export interface KillRecovery {
  slot: string;
  pid: number;
  atMs: number;
  jobs: number;
  /** Until every job ran again (null: one never did). */
  recoveryMs: number | null;
  /** Until the last of the dead worker's leases ended. */
  leaseEndedMs: number | null;
  /** Until the queue last held one of its dead deliveries. */
  deliveryHeldMs: number | null;
  /** Killed during (or just before) a PostgreSQL or Redis restart: RECOVERY_BOUND_MS does not apply. */
  duringOutage: boolean;
  /**
   * Every other worker slot was killed too within RECOVERY_BOUND_MS of this kill: no worker stayed
   * up to take the jobs over, so they waited for a restarted one; RECOVERY_BOUND_MS does not apply.
   */
  inBurst: boolean;
}

/** The kills of workers (epoch ms) and how many worker slots there are: which kills left no worker up. */
export interface WorkerKills {
  kills: ReadonlyArray<{ slot: string; at: number }>;
  slots: number;
}

function inBurst(kill: { slot: string; killedAt: number }, workers: WorkerKills): boolean {
  if (workers.slots < 2) return true;
  const others = new Set(
    workers.kills
      .filter((k) => k.slot !== kill.slot && Math.abs(k.at - kill.killedAt) <= RECOVERY_BOUND_MS)
      .map((k) => k.slot),
  );
  return others.size >= workers.slots - 1;
}

/**
 * A PostgreSQL or Redis restart, from the stop until the service was healthy again (epoch ms): no
 * worker can take a dead one's jobs over meanwhile, so a kill in it (or within RECOVERY_BOUND_MS
 * before it) is held to "ran again", not to the bound.
 */
export interface Outage {
  startAt: number;
  endAt: number;
}

function inOutage(killedAt: number, outages: readonly Outage[]): boolean {
  return outages.some((o) => killedAt >= o.startAt - RECOVERY_BOUND_MS && killedAt <= o.endAt);
}

/** The FLUSHALL as the report shows it. */
export interface FlushSummary {
  atMs: number;
  lost: number;
  reenqueuedMs: number[];
  ranMs: number[];
  unrecovered: number;
}

/** The jobs a killed worker held (running, leased to it in the store) and when each ran again. */
export interface WorkerKillRecovery {
  slot: string;
  pid: number;
  killedAt: number;
  jobs: string[];
  /** Per job: ms from the kill until the store showed it running on another worker, or done. */
  recoveredMs: Record<string, number>;
  /** Per job: ms from the kill until the dead worker's lease ended (the store's `lease_expires_at`). */
  leaseEndedMs: Record<string, number>;
  /**
   * Per job: ms from the kill until the queue last showed its delivery active (BullMQ's active
   * list) while the store still named the dead worker: how long the queue held the dead delivery.
   */
  deliveryHeldMs: Record<string, number>;
}

/** The queued jobs a FLUSHALL took out of the queue, and when each came back and ran. */
export interface FlushRecovery {
  at: number;
  /** Queued in the store just before and still a second after the FLUSHALL: their deliveries were lost. */
  lost: string[];
  /** Per job: ms until its delivery was back in Redis (or it was already claimed). */
  reenqueuedMs: Record<string, number>;
  /** Per job: ms until the store showed it claimed by a worker (running or done). */
  ranMs: Record<string, number>;
}

/**
 * Watches the store (and the private Redis) every `everyMs` for the jobs of killed workers and the
 * jobs a FLUSHALL lost, and records when each ran again. The store is the truth: a job counts as
 * recovered when its row shows another lease owner or a finished job, not when a log says so.
 */
export class RecoveryWatch {
  readonly kills: WorkerKillRecovery[] = [];
  flush: FlushRecovery | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: StoreWatch,
    private readonly redis: PrivateRedis,
    private readonly everyMs = 200,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  trackKill(record: WorkerKillRecovery): void {
    this.kills.push(record);
  }

  trackFlush(record: FlushRecovery): void {
    this.flush = record;
  }

  /** Whether every lost job of the FLUSHALL has run again. */
  get flushSettled(): boolean {
    const flush = this.flush;
    return !!flush && flush.lost.every((id) => id in flush.ranMs);
  }

  /**
   * Checks that every job a killed worker held, and every job the FLUSHALL lost, ran again, and
   * that each killed worker's jobs did so within RECOVERY_BOUND_MS, unless the kill came during an
   * outage or in a burst that left no worker up. `start` is the chaos's start.
   */
  check(checks: Checks, start: number, outages: readonly Outage[], workers: WorkerKills): void {
    for (const kill of this.kills) {
      const lost = kill.jobs.filter((id) => !(id in kill.recoveredMs));
      checks.check(
        'every job a killed worker held ran again',
        lost.length === 0,
        undefined,
        () => `${kill.slot} (pid ${kill.pid}): ${lost.join(', ')} never ran again`,
      );
      if (inOutage(kill.killedAt, outages) || inBurst(kill, workers)) continue;
      const late = kill.jobs.filter(
        (id) => (kill.recoveredMs[id] ?? Number.POSITIVE_INFINITY) > RECOVERY_BOUND_MS,
      );
      checks.check(RECOVERY_BOUND_CHECK, late.length === 0, undefined, () => {
        const times = late.map((id) => `job ${id} ran again ${seconds(kill.recoveredMs[id])} after the kill`);
        return `${kill.slot} (pid ${kill.pid}, killed at ${seconds(kill.killedAt - start)}): ${times.join('; ')}`;
      });
    }
    const flush = this.flush;
    if (flush) {
      const lost = flush.lost.filter((id) => !(id in flush.ranMs));
      checks.check(
        'every queued job the FLUSHALL lost ran again',
        lost.length === 0,
        undefined,
        () => `${lost.join(', ')} never ran again`,
      );
      const late = flush.lost.filter(
        (id) => (flush.reenqueuedMs[id] ?? Number.POSITIVE_INFINITY) > FLUSH_BOUND_MS,
      );
      checks.check(FLUSH_BOUND_CHECK, late.length === 0, undefined, () =>
        late.map((id) => `${id} after ${seconds(flush.reenqueuedMs[id])}`).join(', '),
      );
    }
  }

  /** Each worker kill that left jobs behind, summed up per kill. */
  killSummaries(start: number, outages: readonly Outage[], workers: WorkerKills): KillRecovery[] {
    return this.kills.map((kill) => {
      const times = kill.jobs.map((id) => kill.recoveredMs[id]);
      return {
        slot: kill.slot,
        pid: kill.pid,
        atMs: kill.killedAt - start,
        jobs: kill.jobs.length,
        recoveryMs: times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : null,
        leaseEndedMs: maxOf(Object.values(kill.leaseEndedMs)),
        deliveryHeldMs: maxOf(Object.values(kill.deliveryHeldMs)),
        duringOutage: inOutage(kill.killedAt, outages),
        inBurst: inBurst(kill, workers),
      };
    });
  }

  flushSummary(start: number): FlushSummary | undefined {
    const flush = this.flush;
    return (
      flush && {
        atMs: flush.at - start,
        lost: flush.lost.length,
        reenqueuedMs: Object.values(flush.reenqueuedMs),
        ranMs: Object.values(flush.ranMs),
        unrecovered: flush.lost.filter((id) => !(id in flush.ranMs)).length,
      }
    );
  }

  /** Jobs still waiting to run again. */
  get pending(): number {
    const kills = this.kills.reduce((n, k) => n + k.jobs.filter((id) => !(id in k.recoveredMs)).length, 0);
    const flush = this.flush ? this.flush.lost.filter((id) => !(id in this.flush!.ranMs)).length : 0;
    return kills + flush;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch {
        // A store hiccup delays one pass; the next one measures.
      }
      await sleep(this.everyMs);
    }
  }

  /** A BullMQ key of the deployment: `{prefix}:{queue}:{name}`, one queue per phase (src/server.ts). */
  private queueKey(phase: string | undefined, name: string): string {
    return `${Deployment.REDIS_PREFIX}:audiences-${phase ?? 'count'}:${name}`;
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    const waiting = this.kills.flatMap((kill) =>
      kill.jobs.filter((id) => !(id in kill.recoveredMs)).map((id) => ({ kill, id })),
    );
    const flush = this.flush;
    const lost = flush ? flush.lost.filter((id) => !(id in flush.ranMs)) : [];
    const states = new Map(
      (await this.store.jobStates([...waiting.map((w) => w.id), ...lost])).map((job) => [job.id, job]),
    );
    const held = waiting.length > 0 ? this.redis.client.pipeline() : undefined;
    for (const { id } of waiting) held?.lpos(this.queueKey(states.get(id)?.phase, 'active'), `j.${id}`);
    const active = (await held?.exec()) ?? [];
    for (const [i, { kill, id }] of waiting.entries()) {
      const job = states.get(id);
      const prefix = this.store.ownerPrefix(kill.pid);
      // Still running under the dead worker's lease: not yet taken over.
      if (job && job.status === 'running' && job.leaseOwner?.startsWith(prefix)) {
        if (job.leaseExpiresAt) kill.leaseEndedMs[id] = Date.parse(job.leaseExpiresAt) - kill.killedAt;
        if (active[i]?.[1] !== null && active[i]?.[1] !== undefined)
          kill.deliveryHeldMs[id] = now - kill.killedAt;
        continue;
      }
      kill.recoveredMs[id] = now - kill.killedAt;
    }
    if (!flush) return;
    const unseen = lost.filter((id) => !(id in flush.reenqueuedMs));
    if (unseen.length > 0) {
      const pipeline = this.redis.client.pipeline();
      for (const id of unseen) pipeline.exists(this.queueKey(states.get(id)?.phase, `j.${id}`));
      const found = (await pipeline.exec()) ?? [];
      unseen.forEach((id, i) => {
        if (found[i]?.[1] === 1) flush.reenqueuedMs[id] = now - flush.at;
      });
    }
    for (const id of lost) {
      const job = states.get(id);
      if (job && job.status === 'queued') continue;
      flush.ranMs[id] = now - flush.at;
      flush.reenqueuedMs[id] ??= now - flush.at;
    }
  }
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function seconds(ms: number | undefined): string {
  return `${((ms ?? Number.NaN) / 1000).toFixed(1)} s`;
}
