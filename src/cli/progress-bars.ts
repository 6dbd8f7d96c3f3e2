import { Presets, SingleBar } from 'cli-progress';
import { formatBytes } from './output.ts';

/** What a task's wait reports (the client's `waitFor` progress). */
export interface TaskProgressReport {
  status: string;
  completed_jobs: number;
  total_jobs: number;
}

/** What a download reports (the client's `download` progress). */
export interface DownloadProgressReport {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

/** A progress display that can be fed reports and stopped; draws nothing when it is off. */
export interface ProgressDisplay<Report> {
  update(report: Report): void;
  stop(): void;
}

/**
 * Progress bars go to stderr, and only when stderr is a terminal: piped or redirected output (a
 * script, a CI log) stays free of control characters.
 */
export function progressEnabled(): boolean {
  return process.stderr.isTTY === true;
}

function bar(format: string): SingleBar {
  return new SingleBar(
    { format, stream: process.stderr, hideCursor: true, barsize: 30, fps: 10 },
    Presets.shades_classic,
  );
}

/** Jobs done of a task, with its status: `counting [████░░░] 3/8 jobs | in_progress`. */
export function taskProgress(
  label: string,
  enabled = progressEnabled(),
): ProgressDisplay<TaskProgressReport> {
  if (!enabled) return { update() {}, stop() {} };
  const display = bar(`${label} [{bar}] {value}/{total} jobs | {status}`);
  let started = false;
  return {
    update(report) {
      // A task can split a job into more while it runs: the total follows the server's.
      const total = Math.max(report.total_jobs, 1);
      if (!started) {
        display.start(total, report.completed_jobs, { status: report.status });
        started = true;
        return;
      }
      display.setTotal(total);
      display.update(report.completed_jobs, { status: report.status });
    },
    stop() {
      if (started) display.stop();
    },
  };
}

/** Bytes downloaded over all files: `download [████░░░] 42% | 1.2 MB / 2.9 MB | file 3/7`. */
export function downloadProgress(enabled = progressEnabled()): ProgressDisplay<DownloadProgressReport> {
  if (!enabled) return { update() {}, stop() {} };
  const display = bar('download [{bar}] {percentage}% | {done} / {size} | file {files}');
  let started = false;
  return {
    update(report) {
      const payload = {
        done: formatBytes(report.bytesDone),
        size: formatBytes(report.bytesTotal),
        files: `${Math.min(report.filesDone + 1, report.filesTotal)}/${report.filesTotal}`,
      };
      const total = Math.max(report.bytesTotal, 1);
      if (!started) {
        display.start(total, report.bytesDone, payload);
        started = true;
        return;
      }
      display.setTotal(total);
      display.update(report.bytesDone, payload);
    },
    stop() {
      if (started) display.stop();
    },
  };
}
