import { int, mb, median } from '../stats.ts';
import type { ChaosResult } from './chaos.ts';
import type { FaultSummary } from './fault-setup.ts';
import { ALLOWED_CODE, FAULT_KINDS, type FaultKind, OUTAGE_MS, WINDOW_MS } from './faults.ts';
import { PROBE_TIMEOUT_MS } from './probe.ts';
import { RECOVERY_BOUND_MS } from './recovery.ts';

const FAULT_LABELS: Record<FaultKind, string> = {
  pg_restart: `PostgreSQL restart (stopped ${OUTAGE_MS / 1000} s)`,
  redis_restart: `Redis restart (stopped ${OUTAGE_MS / 1000} s, back empty)`,
  s3_faults: `object-store faults (${WINDOW_MS / 1000} s window)`,
  disk_full: `full disk (${WINDOW_MS / 1000} s window)`,
};

/** Checks whose failures mean a task or job was lost, counted twice, or a file left behind. */
const LOST_CHECKS = [
  'ends counted or completed, no job failed',
  'every task id a client got back is listed by the API',
  'every task finished before the deadline',
  'every job a killed worker held ran again',
  'every queued job the FLUSHALL lost ran again',
  'no scheduled slot was lost',
  'every audience run completed',
];
const DOUBLED_CHECKS = [
  'counts equal an independent DuckDB count',
  "exported rows equal the segment's rows (multisets per partition)",
  "a limit export's rows are the segment's (sub-multisets per partition)",
  'a limit export writes min(limit, segment rows) per job',
  'each scheduled slot ran at most once',
  'every audience delta equals the set differences of an independent DuckDB',
];

const seconds = (ms: number | undefined) =>
  ms === undefined || !Number.isFinite(ms) ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function failedOf(result: ChaosResult, names: readonly string[]): number {
  return names.reduce((sum, name) => sum + (result.checks[name]?.failed ?? 0), 0);
}

/** Lost, doubled and stray, as the end checks found them. */
export function lostDoubledStray(result: ChaosResult): { lost: number; doubled: number; stray: number } {
  const v = result.verification;
  return {
    lost: failedOf(result, LOST_CHECKS),
    doubled: failedOf(result, DOUBLED_CHECKS),
    stray: v ? v.strayFiles.length + v.scratchLeftovers.length : Number.NaN,
  };
}

/** Recovery times (ms) and counts per fault kind, kills and the FLUSHALL included. */
function perKind(result: ChaosResult): Array<{ label: string; count: number; times: number[]; how: string }> {
  const recoveries = result.workerRecoveries.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs]));
  const upKills = result.workerRecoveries.filter((r) => !r.duringOutage && !r.inBurst);
  const apiRestarts = result.restarts.filter((r) => r.role === 'serve').map((r) => r.ms);
  const allowed = result.verification?.allowedFailures ?? {};
  const rows = [
    {
      label: '`kill -9` of a worker',
      count: result.kills.filter((k) => k.role === 'worker').length,
      times: recoveries,
      how: 'kill → every job it held running under another worker or done (kills that left jobs behind)',
    },
    {
      label: '`kill -9` of a worker, another worker up',
      count: upKills.length,
      times: upKills.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs])),
      how: 'the same, for kills outside a PostgreSQL or Redis restart that left some other worker slot unkilled for 10 s either side',
    },
    {
      label: '`kill -9` of an API',
      count: result.kills.filter((k) => k.role === 'serve').length,
      times: apiRestarts,
      how: 'kill → the new process answering its readiness check',
    },
    {
      label: 'Redis FLUSHALL',
      count: result.flush ? 1 : 0,
      times: result.flush && result.flush.ranMs.length > 0 ? [Math.max(...result.flush.ranMs)] : [],
      how: 'FLUSHALL → every queued job it lost claimed by a worker',
    },
  ];
  for (const kind of FAULT_KINDS) {
    const faults = result.faults.faults.filter((f) => f.kind === kind);
    const code = ALLOWED_CODE[kind];
    rows.push({
      label: FAULT_LABELS[kind],
      count: faults.length,
      times: faults.flatMap((f) => (f.recoveryMs === null ? [] : [f.recoveryMs])),
      how: `fault's end → probe counted${code ? `; tasks failed \`${code}\`: ${allowed[code] ?? 0}` : ''}`,
    });
  }
  return rows;
}

/** The "## Faults" section: per kind how many and the recovery, the rules for failed tasks, each fault. */
export function faultsSection(result: ChaosResult): string[] {
  const f = result.faults;
  const { lost, doubled, stray } = lostDoubledStray(result);
  const kinds = perKind(result);
  const injected = Object.entries(f.injected)
    .map(([kind, n]) => `${kind} ${int(n ?? 0)}`)
    .join(', ');
  const audienceFailures = result.audiences?.allowedFailures ?? 0;
  return [
    '## Faults',
    '',
    `**${lost} lost, ${doubled} doubled, ${stray} stray** (failed checks that would show a task or job lost, a row or slot counted twice, a file no task lists).`,
    '',
    table(
      ['fault', 'how many', 'recovery median', 'max', 'recovery measured as'],
      kinds.map((k) => [
        k.label,
        int(k.count),
        k.times.length ? seconds(median(k.times)) : 'n/a',
        k.times.length ? seconds(Math.max(...k.times)) : 'n/a',
        k.how,
      ]),
    ),
    '',
    `Recovery after a restart, a fault window or a full disk is measured the same way for each: from the fault's end (the server taking connections again, the faults switched off, the ballast removed) until a **probe** was counted: every API answering \`GET /readyz\` with 200, then a small filtered count created through an API by an organisation of the probe's own (so it queues behind no client's jobs) and read as \`counted\`; each probe's counts are checked against DuckDB. The next fault (and the FLUSHALL) waits for the probe, so no two faults overlap; kills go on meanwhile. A probe not counted within ${seconds(PROBE_TIMEOUT_MS)} fails the check "the service was healthy again after every fault". Worker kills within ${seconds(RECOVERY_BOUND_MS)} before or during a PostgreSQL or Redis restart (until its probe) are held to "ran again", not to the ${seconds(RECOVERY_BOUND_MS)} bound: nobody can take a job over while the store or the queue is down (${result.workerRecoveries.filter((r) => r.duringOutage).length} such kills).`,
    '',
    `**Expected outcomes**: every task ends counted or completed, except that a task in work while an object-store fault window was open may fail with \`storage_error\`, and one in work while the disk was full may fail with \`disk_full\` (in work: created before the window closed and last updated after it opened). Such a task is counted, not lost, and must list no file (the stray-file check covers what it may have left). Allowed failures: ${
      Object.entries(result.verification?.allowedFailures ?? {})
        .map(([code, n]) => `\`${code}\` ${n}`)
        .join(', ') || 'none'
    }; scheduled audience runs failed the same way: ${audienceFailures}. Jobs such tasks left queued in the store (never run, not cancelled): ${result.verification?.jobsLeftOfFailedTasks ?? 0}. Any other failure, another error code, or a failure outside such a window fails the check "ends counted or completed, no job failed".`,
    '',
    `Input: ${f.input === 'object store' ? `the intent tree on a private s3rver behind the fault proxy of \`harness/s3-faults.ts\` (${int(f.proxyRequests)} requests; injected: ${injected || 'none'})` : 'the local tree folder'}. ${f.diskBytes ? `Outputs and staging caches on a ${mb(f.diskBytes)} tmpfs.` : ''}${f.skipped.length ? ` Skipped: ${f.skipped.join('; ')}.` : ''}`,
    '',
    f.faults.length === 0 ? 'No fault besides the kills and the FLUSHALL in this run.' : faultList(f.faults),
    '',
  ];
}

function faultList(faults: readonly FaultSummary[]): string {
  return faults
    .map(
      (fault) =>
        `- ${FAULT_LABELS[fault.kind]} at ${seconds(fault.atMs)}, ${seconds(fault.durationMs)}${fault.ballastBytes ? ` (ballast ${mb(fault.ballastBytes)})` : ''}: APIs ready ${seconds(fault.readyMs ?? undefined)} after, probe ${fault.probeStatus ?? 'none'} ${seconds(fault.recoveryMs ?? undefined)} after${fault.problem ? ` (${fault.problem})` : ''}`,
    )
    .join('\n');
}

/** The "How it was run" bullet on the faults besides the kills and the FLUSHALL. */
export function faultsHowRun(result: ChaosResult): string {
  const p = result.faults.planned;
  return `- **Other faults**: ${p.pg_restart} PostgreSQL restarts (\`pg_ctl stop -m fast\` of a server of the run's own, ${OUTAGE_MS / 1000} s, \`pg_ctl start\`), ${p.redis_restart} Redis restarts (SIGTERM, ${OUTAGE_MS / 1000} s, started again on the same port and folder, empty: no persistence), ${p.s3_faults} object-store fault windows (${WINDOW_MS / 1000} s in which half of the input requests get 503 SlowDown, 500, a reset or a clean close halfway through the body, or a stall of 2-12 s before or during the body; \`STORAGE_TIMEOUT=10s\`), and ${p.disk_full} full disks (a ballast file fills the tmpfs holding \`OUTPUT_PATH\` and every process's \`STAGING_DIR\` but 64 KiB for ${WINDOW_MS / 1000} s, then is removed), at random moments between 5% and 90% of the workload, in a random order, one at a time (see Faults).${result.faults.input === 'object store' ? ' With object-store faults or full disks, the processes read the tree from `s3://intent/tree` on a private s3rver behind the fault proxy; outputs stay in the local (tmpfs) `OUTPUT_PATH`.' : ''}`;
}

/** A line per fault kind for the terminal. */
export function faultsSummaryLines(result: ChaosResult): string[] {
  const { lost, doubled, stray } = lostDoubledStray(result);
  return [
    ...perKind(result).map(
      (k) =>
        `  ${k.label}: ${k.count}, recovery ${k.times.length ? `median ${seconds(median(k.times))}, max ${seconds(Math.max(...k.times))}` : 'n/a'}`,
    ),
    `allowed failures: ${JSON.stringify(result.verification?.allowedFailures ?? {})}; lost ${lost}, doubled ${doubled}, stray ${stray}`,
    ...result.faults.skipped.map((s) => `skipped: ${s}`),
  ];
}
