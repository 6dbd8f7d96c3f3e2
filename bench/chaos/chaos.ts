import fs from 'node:fs';
import path from 'node:path';
import { AudiencesApi } from '../api.ts';
import { sleep } from '../stats.ts';
import { type AudienceSummary, ScheduledAudiences } from './audiences.ts';
import { ChaosClient, type ClientStats, newClientStats } from './client.ts';
import { type Crash, Deployment, type Role } from './deployment.ts';
import {
  checkFaults,
  DEFAULT_DISK_BYTES,
  type FaultsResult,
  setUpFaults,
  summarizeFaults,
} from './fault-setup.ts';
import { allowingFault, type FaultKind, FaultRunner, Turns } from './faults.ts';
import { drain, finalTasks } from './final-tasks.ts';
import { type Kill, Monkey } from './monkey.ts';
import { Oracle } from './oracle.ts';
import { PROBE_TIMEOUT_MS, Probe } from './probe.ts';
import { Random } from './random.ts';
import { type FlushSummary, type KillRecovery, RecoveryWatch } from './recovery.ts';
import { StoreWatch } from './store-watch.ts';
import { Checks, type CheckTally, type Failure, type Verification, verify } from './verify.ts';
import { type Kind, type Moment, type Organisation, Workload } from './workload.ts';

/** After the FLUSHALL, workers are left alone until the lost jobs ran again, or this long. */
export const FLUSH_QUIET_MS = 90_000;
/** Wide exports created just before the FLUSHALL (at most a quarter of the run's tasks). */
export const FLUSH_BURST_TASKS = 4;

export interface ChaosSettings {
  /** Root of the intent tree the deployment reads. */
  tree: string;
  /** This run's folder (output, DATA_DIRs, Redis, logs); created, and removed at the end unless `keep`. */
  runDir: string;
  keep: boolean;
  tasks: number;
  kills: number;
  organisations: number;
  apis: number;
  workers: number;
  /** Tasks are created and processes killed over this long; then the run waits for the tasks to finish. */
  workloadMs: number;
  /** How long the tasks may take to finish after the workload. */
  drainTimeoutMs: number;
  seed: number;
  /** Share of kills aimed at workers. @defaultValue 0.6 */
  workerShare?: number;
  /** Share of worker kills that wait for a worker holding a job. @defaultValue 0.75 */
  midJobShare?: number;
  /** How long the FLUSHALL waits for jobs waiting in the queue. @defaultValue 60 s */
  flushWaitMs?: number;
  /**
   * Least time between two kills (later ones move back to keep it). @defaultValue 0: kills at
   * independent random moments, so bursts happen
   */
  killGapMs?: number;
  /** Faults of each kind besides the kills and the FLUSHALL (faults.ts). @defaultValue none */
  faults?: Partial<Record<FaultKind, number>>;
  /** Size of the tmpfs a full disk fills. @defaultValue 4 GiB */
  diskBytes?: number;
  log: (message: string) => void;
}

/** Everything a chaos run saw and checked; RELIABILITY.md is written from it. */
export interface ChaosResult {
  startedAt: string;
  durationMs: number;
  settings: Omit<ChaosSettings, 'log'>;
  tree: { rows: number; days: string[]; prefixes: string[]; columns: string[] };
  /** JOB_MAX_BYTES of the deployment. */
  jobMaxBytes: number;
  organisations: string[];
  kills: Kill[];
  /** Per restart: kill → ready, and when it was ready (ms from the start of the chaos). */
  restarts: Array<{ slot: string; role: Role; ms: number; atMs: number }>;
  failedStarts: Array<{ slot: string; error: string }>;
  crashes: Crash[];
  /** Per worker kill that left jobs behind: when they ran again, when the leases ended, how long the queue held them. */
  workerRecoveries: KillRecovery[];
  flush: (FlushSummary & { quietEndedMs: number | undefined }) | undefined;
  /** PostgreSQL and Redis restarts, object-store fault windows, full disks: each with its recovery. */
  faults: FaultsResult;
  tasks: Array<{
    id: string;
    org: string;
    kind: Kind | 'untracked';
    status: string;
    jobs: number;
    uncertainCreate: boolean;
  }>;
  createFailures: Array<{ org: string; kind: Kind; error: string }>;
  client: ClientStats;
  store: {
    jobs: number;
    maxAttempts: number;
    jobsRunMoreThanOnce: number;
    /** Tasks with a phase of 2 or more jobs. */
    splitTasks: number;
  };
  logs: { takeovers: number; leaseLost: number; jobFailures: number };
  drain: { ms: number; timedOut: boolean };
  /** The scheduled delta audiences (one per organisation) and what their runs showed. */
  audiences: AudienceSummary;
  verification: Verification | undefined;
  checks: Record<string, CheckTally>;
  failures: Failure[];
  ok: boolean;
  logDir: string;
}

/**
 * A chaos run (see bench/chaos/README in RELIABILITY.md): a scaled-out deployment on a fresh
 * PostgreSQL database and a private Redis, clients of several organisations creating tasks at random
 * moments through any API, `kill -9` of random workers and APIs (each restarted at once), one
 * FLUSHALL and the faults asked for (faults.ts: PostgreSQL and Redis restarts, object-store fault
 * windows, full disks; one at a time, each followed by a probe of the service's health), then the
 * end checks against an independent DuckDB, a failed task allowed only as a fault's outcome.
 */
export async function runChaos(settings: ChaosSettings): Promise<ChaosResult> {
  const { log } = settings;
  const startedAt = new Date();
  const began = Date.now();
  fs.mkdirSync(settings.runDir, { recursive: true });
  const seed = settings.seed;
  const checks = new Checks();

  log(`loading the intent tree into the oracle: ${settings.tree}`);
  const oracle = await Oracle.open(settings.tree, 2);
  log(`oracle: ${oracle.rows} rows, ${oracle.days.length} days, ${oracle.prefixes.length} prefixes`);
  log(`starting ${settings.apis} serve and ${settings.workers} worker processes`);
  // Jobs of more than about four partition files split at their start (JOB_MAX_BYTES), so most
  // tasks spread over several jobs and workers.
  const jobMaxBytes = Math.max(1_000_000, Math.round(4 * averageFileBytes(settings.tree)));
  const diskBytes = settings.diskBytes ?? DEFAULT_DISK_BYTES;
  const setup = await setUpFaults({ ...settings, faults: settings.faults ?? {}, diskBytes });
  let deployment: Deployment;
  try {
    deployment = await Deployment.start({
      runDir: settings.runDir,
      tree: settings.tree,
      apis: settings.apis,
      workers: settings.workers,
      jobMaxBytes,
      ...setup.deployment,
      log,
    });
  } catch (error) {
    await setup.close();
    throw error;
  }
  // Ctrl-C leaves nothing behind: no process, no Redis, no database, no mount.
  const interrupted = () => {
    void deployment
      .abort()
      .finally(() => setup.close())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const store = new StoreWatch(deployment.databaseUrl);
  const recovery = new RecoveryWatch(store, deployment.redis);
  try {
    const organisations: Organisation[] = [];
    for (let i = 0; i < settings.organisations; i++) {
      const api = new AudiencesApi(deployment.apiUrls[i % deployment.apiUrls.length]!);
      const label = String.fromCharCode(65 + i);
      await api.signUp(`chaos-${label.toLowerCase()}-${seed}`);
      organisations.push({ label, apiKey: api.apiKey });
      api.close();
    }
    const probeApi = new AudiencesApi(deployment.apiUrls[0]!);
    await probeApi.signUp(`chaos-probe-${seed}`);
    probeApi.close();

    const start = Date.now();
    const deadline = start + settings.workloadMs + settings.drainTimeoutMs;
    const rng = new Random(seed);
    const client = new ChaosClient(deployment.apiUrls, new Random(seed + 1), newClientStats(), deadline);
    // The FLUSHALL must find jobs waiting in the queue: a burst of wide exports (about a
    // third of a tree each) comes just before it, part of the run's tasks.
    const flushAtMs = settings.workloadMs * (0.3 + 0.25 * rng.next());
    const burst = Math.min(FLUSH_BURST_TASKS, Math.floor(settings.tasks / 4));
    const moments: Moment[] = [
      ...rng.moments(settings.tasks - burst, 0, settings.workloadMs * 0.95).map((atMs) => ({ atMs })),
      ...Array.from({ length: burst }, (_, i) => ({ atMs: flushAtMs - 1_000 + i * 50, burst: true })),
    ].sort((a, b) => a.atMs - b.atMs);
    // One delta audience per organisation, every 3 s, through the whole run.
    const audiences = await ScheduledAudiences.create({
      client,
      organisations,
      tree: { days: oracle.days, prefixes: oracle.prefixes },
      log,
    });
    const probe = new Probe(
      client,
      probeApi.apiKey,
      deployment.apiUrls,
      { days: oracle.days, prefixes: oracle.prefixes },
      new Random(seed + 5),
    );
    const turns = new Turns();
    const faults = new FaultRunner({
      deployment,
      postgres: setup.postgres,
      objectInput: setup.objectInput,
      disk: setup.disk,
      counts: setup.counts,
      probe,
      workloadMs: settings.workloadMs,
      turns,
      rng: new Random(seed + 7),
      log,
    });
    const workload = new Workload({
      rng: new Random(seed + 2),
      jitter: new Random(seed + 3),
      client,
      organisations,
      tree: { days: oracle.days, prefixes: oracle.prefixes },
      log,
    });
    const monkey = new Monkey({
      deployment,
      store,
      recovery,
      rng: new Random(seed + 4),
      kills: settings.kills,
      killGapMs: settings.killGapMs ?? 0,
      workloadMs: settings.workloadMs,
      workerShare: settings.workerShare ?? 0.6,
      midJobShare: settings.midJobShare ?? 0.75,
      flushAtMs,
      flushQuietMs: FLUSH_QUIET_MS,
      flushWaitMs: settings.flushWaitMs ?? 60_000,
      turns,
      log,
    });
    recovery.start();
    log(
      `chaos: ${settings.tasks} tasks and ${settings.kills} kills over ${Math.round(settings.workloadMs / 1000)} s`,
    );
    await Promise.all([workload.run(start, moments), monkey.run(start), faults.run(start)]);
    log('workload and kills done; waiting for the restarts and for every task to finish');
    await deployment.settle();
    await audiences.pause();
    const drainStart = Date.now();
    const timedOut = !(await drain(client, organisations, deadline, log));
    const drainMs = Date.now() - drainStart;

    // Audience runs are checked as runs of their audience; every other task as a task.
    const storeTasks = (await store.allTasks()).filter((task) => !probe.tasks.has(task.id));
    const allowedFailure = (detail: Parameters<typeof allowingFault>[1]) =>
      allowingFault(faults.records, detail);
    log('checking the scheduled audiences against the oracle');
    const scheduled = await audiences.verify(
      oracle,
      deployment.outputPath,
      new Map(storeTasks.map((task) => [task.id, task.organizationId])),
      checks,
      allowedFailure,
    );
    const finals = await finalTasks({
      client,
      organisations,
      tracked: workload.tasks,
      storeTasks: storeTasks.filter((task) => !scheduled.taskIds.has(task.id)),
      skip: scheduled.taskIds,
      checks,
    });

    // Recovery: every job a killed worker held, and every job the FLUSHALL lost, ran again.
    const settleBy = Date.now() + 10_000;
    while (recovery.pending > 0 && Date.now() < settleBy) await sleep(200);
    await recovery.stop();
    // A PostgreSQL or Redis restart holds every takeover until the service is back.
    const outages = faults.records
      .filter((r) => r.kind === 'pg_restart' || r.kind === 'redis_restart')
      .map((r) => ({ startAt: r.startAt, endAt: r.probe.doneAt ?? r.endAt + PROBE_TIMEOUT_MS }));
    // Kills that took every worker slot within the bound leave nobody to take a job over at once.
    const workers = {
      kills: monkey.kills
        .filter((k) => k.role === 'worker')
        .map((k) => ({ slot: k.slot, at: start + k.atMs })),
      slots: deployment.slots.filter((slot) => slot.role === 'worker').length,
    };
    recovery.check(checks, start, outages, workers);
    await checkFaults(setup, faults.records, oracle, checks);
    checks.check('no process exited on its own', deployment.crashes.length === 0, undefined, () =>
      deployment.crashes.map((c) => `${c.slot} pid ${c.pid} exited ${c.code} (log ${c.logFile})`).join('; '),
    );
    const down = deployment.slots.filter((slot) => !slot.process);
    checks.check('every process is up at the end', down.length === 0, undefined, () =>
      down.map((slot) => slot.name).join(', '),
    );
    checks.check('every create was answered 202', workload.createFailures.length === 0, undefined, () =>
      workload.createFailures
        .map((f) => `${f.kind} of ${organisations[f.org]!.label}: ${f.error}`)
        .join('; '),
    );

    log(`checking ${finals.length} tasks against the oracle`);
    const jobs = await store.allJobs();
    const verification = await verify(
      {
        tasks: finals,
        jobs,
        oracle,
        outputPath: deployment.outputPath,
        otherFiles: scheduled.files,
        allowedFailure,
        log,
      },
      checks,
    );
    const logs = scanLogs(deployment.logDir);
    const result: ChaosResult = {
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - began,
      settings: { ...settings, log: undefined } as Omit<ChaosSettings, 'log'>,
      tree: { rows: oracle.rows, days: oracle.days, prefixes: oracle.prefixes, columns: oracle.columns },
      jobMaxBytes,
      organisations: organisations.map((o) => o.label),
      kills: monkey.kills,
      restarts: deployment.restarts.map(({ readyAt, ...restart }) => ({ ...restart, atMs: readyAt - start })),
      failedStarts: deployment.failedStarts,
      crashes: deployment.crashes,
      workerRecoveries: recovery.killSummaries(start, outages, workers),
      flush: recovery.flush && {
        ...recovery.flushSummary(start)!,
        quietEndedMs: monkey.flush?.quietEndedMs,
      },
      faults: summarizeFaults(setup, faults.records, start, diskBytes),
      tasks: finals.map((task) => ({
        id: task.id,
        org: organisations[task.org]!.label,
        kind: task.kind,
        status: task.detail.status,
        jobs: task.detail.total_jobs,
        uncertainCreate: task.tracked?.uncertainCreate ?? false,
      })),
      createFailures: workload.createFailures.map((f) => ({
        org: organisations[f.org]!.label,
        kind: f.kind,
        error: f.error,
      })),
      client: client.stats,
      store: {
        jobs: jobs.length,
        maxAttempts: Math.max(0, ...jobs.map((job) => job.attempts)),
        jobsRunMoreThanOnce: jobs.filter((job) => job.attempts > 1).length,
        splitTasks: splitTasks(jobs),
      },
      logs,
      drain: { ms: drainMs, timedOut },
      audiences: scheduled.summary,
      verification,
      checks: checks.tallies,
      failures: checks.failures,
      ok: checks.failures.length === 0,
      logDir: deployment.logDir,
    };
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await recovery.stop();
    await store.close();
    await deployment.stop();
    await setup.close(settings.keep ? path.join(settings.runDir, 'output') : undefined);
    oracle.close();
    if (!settings.keep) {
      for (const dir of ['output', 'data', 'redis', 'migrate', 'snapshots']) {
        fs.rmSync(path.join(settings.runDir, dir), { recursive: true, force: true });
      }
    }
  }
}

/** Mean size of the tree's Parquet files. */
function averageFileBytes(tree: string): number {
  const files = (fs.readdirSync(tree, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet'));
  const bytes = files.reduce((sum, file) => sum + fs.statSync(path.join(tree, file)).size, 0);
  return files.length === 0 ? 0 : bytes / files.length;
}

/** Tasks that have a phase of 2 or more jobs. */
function splitTasks(jobs: ReadonlyArray<{ taskId: string; phase: string }>): number {
  const perPhase = new Map<string, number>();
  for (const job of jobs)
    perPhase.set(`${job.taskId}/${job.phase}`, (perPhase.get(`${job.taskId}/${job.phase}`) ?? 0) + 1);
  return new Set([...perPhase].filter(([, n]) => n >= 2).map(([key]) => key.split('/')[0])).size;
}

/** Counts of the workers' own words about leases and failures, from their logs (JSON lines). */
function scanLogs(dir: string): ChaosResult['logs'] {
  const counts = { takeovers: 0, leaseLost: 0, jobFailures: 0 };
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      let msg = '';
      try {
        msg = (JSON.parse(line) as { msg?: string }).msg ?? '';
      } catch {
        // The last line of a killed process may be cut short.
      }
      if (msg === 'job taken over from an expired lease') counts.takeovers += 1;
      else if (msg.startsWith('lease lost')) counts.leaseLost += 1;
      else if (msg === 'job failed') counts.jobFailures += 1;
    }
  }
  return counts;
}
