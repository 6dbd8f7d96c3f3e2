import { sleep } from '../stats.ts';
import { Deployment } from './deployment.ts';
import type { PrivateRedis } from './private-redis.ts';
import type { StoreWatch } from './store-watch.ts';

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
