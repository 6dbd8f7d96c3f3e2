import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck } from '../support/duck.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/audiences.js');
let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-'));
});
afterAll(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe('audiences demo-data', () => {
  it('writes the tree it is asked for, deterministically', async () => {
    const args = [
      'demo-data',
      '--rows',
      '6000',
      '--days',
      '2',
      '--prefixes',
      '3',
      '--seed',
      '5',
      '--start-day',
      '2024-06-01',
    ];
    const first = await run(process.execPath, [bin, ...args, '--out', path.join(out, 'a')]);
    await run(process.execPath, [bin, ...args, '--out', path.join(out, 'b')]);
    expect(first.stdout).toMatch(/wrote 6000 rows in 18 files/);
    expect(first.stdout).toMatch(/days: 2024-06-01, 2024-06-02/);
    const summary = (dir: string) =>
      duck<{ day: string; prefix: string; score: string; n: bigint; h: bigint }>(
        `SELECT strftime(day, '%Y-%m-%d') AS day, prefix, score, count(*) AS n, sum(hash(person_id, topic_id, last_seen)) AS h
         FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE}) GROUP BY ALL ORDER BY ALL`,
      );
    const a = await summary(path.join(out, 'a'));
    expect(a).toHaveLength(2 * 3 * 3);
    expect(a.reduce((sum, r) => sum + Number(r.n), 0)).toBe(6000);
    expect(await summary(path.join(out, 'b'))).toEqual(a);
  });

  it('refuses a bad option with a message', async () => {
    const failed = await run(process.execPath, [bin, 'demo-data', '--out', out, '--rows', 'many']).catch(
      (e) => e,
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/--rows.*positive integer/);
  });
});
