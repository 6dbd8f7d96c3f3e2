import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How a delivered job's run ended. */
export type JobRunOutcome = 'done' | 'requeued' | 'failed' | 'cancelled';

/** Seconds: a footers-only count takes milliseconds, a large export minutes. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Seconds: a step of a job, from a millisecond (a claim) to a job's whole run. */
const STEP_BUCKETS = [0.001, 0.005, ...JOB_BUCKETS];

/** What one job run that finished (`done`) read and wrote. */
export interface JobVolume {
  /** Rows the job's query selected from its inputs: a count's counted rows, an export's exported rows. */
  rowsRead: number;
  /**
   * Bytes of the input objects the job opened in full (staged from an object store or read in
   * place); 0 for a count that reads only Parquet footers.
   */
  bytesRead: number;
  /** Rows in the files the job published (0 for a count). */
  rowsWritten: number;
  /** Bytes of the files the job published (0 for a count). */
  bytesWritten: number;
}

export interface JobMetricsOptions {
  /** Job ids waiting in the queue, read at each scrape; without it there is no `audiences_queue_depth`. */
  queueDepth?: () => Promise<number>;
  /** Told when `queueDepth` rejects. */
  onError?: (error: unknown) => void;
}

/**
 * What a worker measures: job runs by phase and outcome, their durations, rows and bytes read and
 * written, the queue's depth, and leases. The `phase` label is a job kind (`count`, `unload`).
 */
export class JobMetrics {
  private readonly runs: Counter<'phase' | 'outcome'>;
  private readonly durations: Histogram<'phase'>;
  private readonly steps: Histogram<'phase' | 'step'>;
  private readonly rowsRead: Counter<'phase'>;
  private readonly bytesRead: Counter<'phase'>;
  private readonly rowsWritten: Counter;
  private readonly bytesWritten: Counter;
  private readonly leasesExpiredTotal: Counter;
  private readonly leasesRecoveredTotal: Counter;

  constructor(registry: Registry, options: JobMetricsOptions = {}) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'audiences_jobs_total',
      help: 'Job runs settled, by phase and outcome (done, requeued after a transient failure, failed for good, cancelled with the task).',
      labelNames: ['phase', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: 'audiences_job_duration_seconds',
      help: 'Time from claiming a job to settling it, whatever the outcome, by phase.',
      labelNames: ['phase'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.steps = new Histogram({
      name: 'audiences_job_step_seconds',
      help: "Where finished jobs' time went, by phase and step: queued (waiting for a slot), claim, inputs (listing and staging), engineWait, count, write, hash, publish, copy, store (recording the outcome), and total.",
      labelNames: ['phase', 'step'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.rowsRead = new Counter({
      name: 'audiences_rows_read_total',
      help: "Rows finished jobs selected from their inputs (a count's counted rows, an export's exported rows), by phase.",
      labelNames: ['phase'],
      registers,
    });
    this.bytesRead = new Counter({
      name: 'audiences_bytes_read_total',
      help: 'Bytes of input objects finished jobs opened in full (staged or read in place; footer-only counts add nothing), by phase.',
      labelNames: ['phase'],
      registers,
    });
    this.rowsWritten = new Counter({
      name: 'audiences_rows_written_total',
      help: 'Rows in the export files finished jobs published.',
      registers,
    });
    this.bytesWritten = new Counter({
      name: 'audiences_bytes_written_total',
      help: 'Bytes of the export files finished jobs published.',
      registers,
    });
    this.leasesExpiredTotal = new Counter({
      name: 'audiences_leases_expired_total',
      help: "Running jobs found under an expired lease (their worker died or stalled) and enqueued again by this worker's reconciler, once per pass that finds them.",
      registers,
    });
    this.leasesRecoveredTotal = new Counter({
      name: 'audiences_leases_recovered_total',
      help: 'Jobs whose lease had expired, taken over and run again.',
      registers,
    });
    const depth = options.queueDepth;
    if (depth) {
      new Gauge({
        name: 'audiences_queue_depth',
        help: 'Job ids waiting in the queue (read at each scrape).',
        registers,
        async collect() {
          try {
            this.set(await depth());
          } catch (error) {
            this.reset();
            options.onError?.(error);
          }
        },
      });
    }
  }

  /** Records one settled run of a job: its outcome, how long it took and, when done, its volume. */
  jobSettled(phase: string, outcome: JobRunOutcome, seconds: number, volume?: JobVolume): void {
    this.runs.inc({ phase, outcome });
    this.durations.observe({ phase }, seconds);
    if (!volume) return;
    this.rowsRead.inc({ phase }, volume.rowsRead);
    this.bytesRead.inc({ phase }, volume.bytesRead);
    this.rowsWritten.inc(volume.rowsWritten);
    this.bytesWritten.inc(volume.bytesWritten);
  }

  /** Records where a finished job's time went (`step` → milliseconds; see `audiences_job_step_seconds`). */
  jobSteps(phase: string, steps: Readonly<Record<string, number>>): void {
    for (const [step, ms] of Object.entries(steps)) this.steps.observe({ phase, step }, ms / 1000);
  }

  /**
   * `n` running jobs were found under an expired lease and enqueued again (by the reconciler). A
   * job still unclaimed at the next pass counts again, and every worker's reconciler sees it.
   */
  leasesExpired(n = 1): void {
    this.leasesExpiredTotal.inc(n);
  }

  /** `n` jobs with an expired lease were claimed again by a live worker (by the job runner). */
  leasesRecovered(n = 1): void {
    this.leasesRecoveredTotal.inc(n);
  }
}
