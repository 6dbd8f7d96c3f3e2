import fs from 'node:fs';
import path from 'node:path';
import { PrivateHostedPostgres } from '../../harness/private-postgres.ts';
import type { DeploymentOptions } from './deployment.ts';
import { FAULT_KINDS, type FaultKind, type FaultRecord } from './faults.ts';
import { type InjectedFaults, ObjectInput } from './object-input.ts';
import type { Oracle } from './oracle.ts';
import { Random } from './random.ts';
import { SmallDisk } from './small-disk.ts';
import type { Checks } from './verify.ts';

/** Size of the run's small disk (a tmpfs: only what is written takes memory, the ballast too). */
export const DEFAULT_DISK_BYTES = 4 * 1024 ** 3;

/** What the chaos needs to inject the faults asked for, and how the deployment is set up for them. */
export interface FaultSetup {
  postgres: PrivateHostedPostgres | undefined;
  objectInput: ObjectInput | undefined;
  disk: SmallDisk | undefined;
  /** Faults per kind, after any kind that could not be set up was skipped. */
  counts: Record<FaultKind, number>;
  /** Why a kind was skipped (e.g. the tmpfs could not be mounted). */
  skipped: string[];
  deployment: Pick<DeploymentOptions, 'postgres' | 'env' | 'outputPath' | 'stagingRoot'>;
  /** Stops what was started; copies the small disk's outputs to `keepTo` first when given. */
  close(keepTo?: string): Promise<void>;
}

/**
 * Sets up what the faults need: a PostgreSQL server of the run's own for restarts (the shared one
 * is never stopped); the input on a misbehaving object store for object-store faults and for a
 * full disk (whose staging cache then holds the input objects); a tmpfs for a full disk, holding
 * OUTPUT_PATH and every slot's STAGING_DIR. A kind that cannot be set up is skipped and said so.
 */
export async function setUpFaults(options: {
  runDir: string;
  tree: string;
  faults: Partial<Record<FaultKind, number>>;
  diskBytes: number;
  seed: number;
  log: (message: string) => void;
}): Promise<FaultSetup> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, options.faults[k] ?? 0])) as Record<
    FaultKind,
    number
  >;
  const skipped: string[] = [];
  let disk: SmallDisk | undefined;
  if (counts.disk_full > 0) {
    const mounted = SmallDisk.mount(path.join(options.runDir, 'disk'), options.diskBytes);
    if (typeof mounted === 'string') {
      skipped.push(`disk_full: ${counts.disk_full} skipped, ${mounted}`);
      options.log(`SKIPPING the full-disk faults: ${mounted}`);
      counts.disk_full = 0;
    } else disk = mounted;
  }
  const postgres = counts.pg_restart > 0 ? await PrivateHostedPostgres.start() : undefined;
  let objectInput: ObjectInput | undefined;
  if (counts.s3_faults > 0 || counts.disk_full > 0) {
    options.log('uploading the intent tree to a private s3rver behind the fault proxy');
    objectInput = await ObjectInput.start(
      path.join(options.runDir, 's3rver'),
      options.tree,
      new Random(options.seed + 6),
    );
  }
  const outputPath = disk ? path.join(disk.dir, 'output') : undefined;
  return {
    postgres,
    objectInput,
    disk,
    counts,
    skipped,
    deployment: {
      postgres,
      env: {
        ...(objectInput ? { ...objectInput.env, INTENT_INPUT_PATH: objectInput.inputPath } : {}),
        // Audience runs move their members from OUTPUT_PATH's scratch folder into SNAPSHOT_PATH
        // with a rename, which fails across file systems (EXDEV): both on the small disk.
        ...(disk ? { SNAPSHOT_PATH: path.join(disk.dir, 'snapshots') } : {}),
        // Five slots' caches fill at most half the disk: outside a window, the outputs have room.
        ...(disk ? { STAGING_CACHE_BYTES: String(Math.floor(options.diskBytes / 10)) } : {}),
      },
      ...(disk ? { outputPath, stagingRoot: path.join(disk.dir, 'cache') } : {}),
    },
    async close(keepTo) {
      await objectInput?.close();
      await postgres?.close();
      if (disk) {
        if (keepTo && outputPath && fs.existsSync(outputPath))
          fs.cpSync(outputPath, keepTo, { recursive: true });
        disk.unmount();
      } else fs.rmSync(path.join(options.runDir, 'disk'), { recursive: true, force: true });
      fs.rmSync(path.join(options.runDir, 's3rver'), { recursive: true, force: true });
    },
  };
}

/** One fault as the report shows it (ms from the start of the chaos, or from the fault's end). */
export interface FaultSummary {
  kind: FaultKind;
  atMs: number;
  durationMs: number;
  /** Fault's end → the probe task counted (null: not within the probe's timeout). */
  recoveryMs: number | null;
  /** Fault's end → every API answered `/readyz` with 200. */
  readyMs: number | null;
  probeTask: string | undefined;
  probeStatus: string | undefined;
  problem: string | undefined;
  ballastBytes?: number;
}

/** Every fault of the run, what the object store injected, and what was skipped. */
export interface FaultsResult {
  planned: Record<FaultKind, number>;
  skipped: string[];
  /** Where the deployment read its input: the tree's folder, or the object store. */
  input: 'local folder' | 'object store';
  faults: FaultSummary[];
  injected: InjectedFaults;
  proxyRequests: number;
  diskBytes: number | undefined;
}

export function summarizeFaults(
  setup: FaultSetup,
  records: readonly FaultRecord[],
  start: number,
  diskBytes: number,
): FaultsResult {
  return {
    planned: setup.counts,
    skipped: setup.skipped,
    input: setup.objectInput ? 'object store' : 'local folder',
    faults: records.map((r) => ({
      kind: r.kind,
      atMs: r.startAt - start,
      durationMs: r.endAt - r.startAt,
      recoveryMs: r.probe.doneAt === undefined ? null : r.probe.doneAt - r.endAt,
      readyMs: r.probe.readyAt === undefined ? null : r.probe.readyAt - r.endAt,
      probeTask: r.probe.taskId,
      probeStatus: r.probe.status,
      problem: r.probe.problem,
      ...(r.ballastBytes ? { ballastBytes: r.ballastBytes } : {}),
    })),
    injected: setup.objectInput?.injected ?? {},
    proxyRequests: setup.objectInput?.requests ?? 0,
    diskBytes: setup.disk ? diskBytes : undefined,
  };
}

/**
 * The faults' own checks: each planned fault happened, the service was healthy again after each
 * one (its probe counted), and each probe's counts equal the oracle's.
 */
export async function checkFaults(
  setup: FaultSetup,
  records: readonly FaultRecord[],
  oracle: Oracle,
  checks: Checks,
): Promise<void> {
  for (const kind of FAULT_KINDS) {
    const done = records.filter((r) => r.kind === kind).length;
    checks.check('every planned fault happened', done === setup.counts[kind], undefined, () => {
      return `${kind}: ${done} of ${setup.counts[kind]}`;
    });
  }
  for (const r of records) {
    const { probe } = r;
    const healthy = checks.check(
      'the service was healthy again after every fault (its probe task counted)',
      probe.status === 'counted',
      probe.taskId,
      () =>
        `${r.kind} ending at ${new Date(r.endAt).toISOString()}: ${probe.status ?? 'no task'} ${probe.problem ?? ''}`,
    );
    if (!healthy) continue;
    const want = await oracle.counts(probe.spec);
    const got = Object.fromEntries(Object.entries(probe.counts).filter(([, n]) => n > 0));
    checks.check(
      'every probe task counted exactly (an independent DuckDB count)',
      JSON.stringify(sorted(got)) === JSON.stringify(sorted(want)),
      probe.taskId,
      () => `${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
    );
  }
}

function sorted(record: Record<string, number>): Array<[string, number]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
