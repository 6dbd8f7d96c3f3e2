import type { PrivateHostedPostgres } from '../../harness/private-postgres.ts';
import { sleep } from '../stats.ts';
import type { Deployment } from './deployment.ts';
import type { ObjectInput } from './object-input.ts';
import type { Probe, ProbeResult } from './probe.ts';
import type { Random } from './random.ts';
import type { SmallDisk } from './small-disk.ts';

/** The fault kinds besides `kill -9` and the FLUSHALL (README "Scaling out", the chaos run). */
export const FAULT_KINDS = ['pg_restart', 'redis_restart', 's3_faults', 'disk_full'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How long PostgreSQL and Redis stay down in a restart. */
export const OUTAGE_MS = 10_000;
/** How long a window of object-store faults or of a full disk lasts. */
export const WINDOW_MS = 5_000;

/** The error code a task may fail with when it overlapped a window of the kind (none for the others). */
export const ALLOWED_CODE: Partial<Record<FaultKind, string>> = {
  s3_faults: 'storage_error',
  disk_full: 'disk_full',
};

/** One fault as it happened; epoch ms. */
export interface FaultRecord {
  kind: FaultKind;
  /** The fault began: the server stopped, the faults were switched on, the ballast written. */
  startAt: number;
  /** The fault ended: the server took connections again, the faults were switched off, the ballast removed. */
  endAt: number;
  probe: ProbeResult;
  /** Bytes of ballast (disk_full). */
  ballastBytes?: number;
}

/** A chain of turns: the faults and the FLUSHALL take one each, so no two of them overlap. */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work, work);
    this.last = next.catch(() => undefined);
    return next;
  }
}

export interface FaultRunnerOptions {
  deployment: Deployment;
  /** The deployment's own PostgreSQL server (needed for `pg_restart`). */
  postgres: PrivateHostedPostgres | undefined;
  /** The misbehaving object store holding the input (needed for `s3_faults`). */
  objectInput: ObjectInput | undefined;
  /** The small disk holding the outputs and caches (needed for `disk_full`). */
  disk: SmallDisk | undefined;
  probe: Probe;
  counts: Record<FaultKind, number>;
  workloadMs: number;
  turns: Turns;
  rng: Random;
  log: (message: string) => void;
}

/**
 * Injects the faults of each kind at random moments over the workload, one at a time: each takes
 * a turn (shared with the FLUSHALL) and keeps it until the probe after it says the service is
 * healthy again, so PostgreSQL is never down while Redis is, nor a window open during an outage.
 * Kills go on meanwhile: a process dying during an outage is part of the chaos.
 */
export class FaultRunner {
  readonly records: FaultRecord[] = [];

  constructor(private readonly options: FaultRunnerOptions) {}

  /** The planned faults: kinds in a random order, at random moments over 5%-90% of the workload. */
  plan(): Array<{ kind: FaultKind; atMs: number }> {
    const { counts, rng, workloadMs } = this.options;
    const kinds = FAULT_KINDS.flatMap((kind) => Array.from({ length: counts[kind] }, () => kind));
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    const moments = rng.moments(kinds.length, workloadMs * 0.05, workloadMs * 0.9);
    return kinds.map((kind, i) => ({ kind, atMs: moments[i]! }));
  }

  async run(start: number): Promise<void> {
    for (const { kind, atMs } of this.plan()) {
      const wait = start + atMs - Date.now();
      if (wait > 0) await sleep(wait);
      await this.options.turns.run(() => this.inject(kind, start));
    }
  }

  private async inject(kind: FaultKind, start: number): Promise<void> {
    const { log, probe } = this.options;
    const startAt = Date.now();
    const ballastBytes = await this.fault(kind);
    const endAt = Date.now();
    const result = await probe.run();
    this.records.push({ kind, startAt, endAt, probe: result, ...(ballastBytes ? { ballastBytes } : {}) });
    const recovered =
      result.doneAt === undefined ? 'NOT recovered' : `recovered in ${sec(result.doneAt - endAt)}`;
    log(`${kind} at ${sec(startAt - start)} for ${sec(endAt - startAt)}: ${recovered}`);
  }

  /** Breaks one thing and mends it; answers the ballast's size for a full disk. */
  private async fault(kind: FaultKind): Promise<number | undefined> {
    const { deployment, postgres, objectInput, disk } = this.options;
    switch (kind) {
      case 'pg_restart':
        await postgres!.pause();
        await sleep(OUTAGE_MS);
        await postgres!.resume();
        return undefined;
      case 'redis_restart':
        await deployment.redis.halt();
        await sleep(OUTAGE_MS);
        await deployment.redis.restart();
        return undefined;
      case 's3_faults':
        objectInput!.setFaulty(true);
        await sleep(WINDOW_MS);
        objectInput!.setFaulty(false);
        return undefined;
      case 'disk_full': {
        const bytes = disk!.fill();
        await sleep(WINDOW_MS);
        disk!.free();
        return bytes;
      }
    }
  }
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The fault kind whose window allows this failed task (its error code is the kind's, and the task
 * was in work while the window was open: created before it closed, last updated after it opened),
 * or undefined when nothing allows it.
 */
export function allowingFault(
  records: readonly FaultRecord[],
  detail: {
    status: string;
    error: { code: string } | null;
    created_at: string;
    updated_at: string;
  },
): FaultKind | undefined {
  if (detail.status !== 'failed' || !detail.error) return undefined;
  const from = Date.parse(detail.created_at);
  const to = Date.parse(detail.updated_at);
  // A second of slack for the server's and the harness's readings of the same clock.
  const match = records.find(
    (r) => ALLOWED_CODE[r.kind] === detail.error!.code && from <= r.endAt + 1_000 && to >= r.startAt - 1_000,
  );
  return match?.kind;
}
