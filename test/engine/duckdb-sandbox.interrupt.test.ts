import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineInterruptedError, Sandbox } from '../../src/engine/duckdb-sandbox.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-interrupt-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A statement that runs for minutes unless it is interrupted. */
const LONG = 'SELECT sum(i) FROM range(1000000000000) t(i)';

describe('interrupting a sandbox', () => {
  it('stops a statement that is still being handed to DuckDB when the interrupt comes', async () => {
    // The job's query starts in the same turn as the cancel's interrupt: the interrupt must not be
    // lost to the statement's start, or the job runs to its end (the whole export) after a cancel.
    for (let attempt = 0; attempt < 10; attempt++) {
      const sandbox = await Sandbox.open({
        allowedDirectories: [dir],
        tempDirectory: '',
        memoryLimit: '64MB',
        threads: 1,
      });
      try {
        const query = sandbox.query(LONG);
        sandbox.interrupt();
        // Not interrupted, the sum would run for minutes (past the test's timeout).
        await expect(query, `attempt ${attempt}`).rejects.toBeInstanceOf(EngineInterruptedError);
      } finally {
        sandbox.close();
      }
    }
  });
});
