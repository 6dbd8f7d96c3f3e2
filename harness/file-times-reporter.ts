import fs from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/** One test file's time: importing it (its module and what it imports), and its hooks and tests. */
export interface FileTime {
  file: string;
  importMs: number;
  runMs: number;
}

/**
 * A Vitest reporter that writes each test file's times (`FileTime`) as JSON to the file named by
 * `AUDIENCES_FILE_TIMES` when the run ends, for `npm test` to name the slowest files.
 */
export default class FileTimesReporter implements Reporter {
  private readonly times: FileTime[] = [];

  onTestModuleEnd(module: TestModule): void {
    const diagnostic = module.diagnostic();
    this.times.push({
      file: module.moduleId,
      importMs: diagnostic.collectDuration,
      runMs: diagnostic.duration,
    });
  }

  onTestRunEnd(): void {
    const out = process.env.AUDIENCES_FILE_TIMES;
    if (out) fs.writeFileSync(out, JSON.stringify(this.times));
  }
}
