import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { duckdbVersion } from './raw-duckdb.ts';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
  duckdb: string;
  fastify: string;
  commit: string;
}

function packageVersion(root: string, name: string): string {
  try {
    const file = path.join(root, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A short hash of every file under src/, to tell apart the states of a working tree others are editing. */
export function srcHash(root: string): string {
  const hash = createHash('sha256');
  const files = (fs.readdirSync(path.join(root, 'src'), { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(root, 'src', file)).isFile())
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(root, 'src', file)));
  return hash.digest('hex').slice(0, 12);
}

/** The commit measured, and whether src/ had uncommitted changes (others edit it concurrently). */
function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} + uncommitted changes in src/ (content sha256 ${srcHash(root)})` : head;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(root: string): Promise<Machine> {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    duckdb: `${await duckdbVersion()} (@duckdb/node-api ${packageVersion(root, '@duckdb/node-api')})`,
    fastify: packageVersion(root, 'fastify'),
    commit: commitOf(root),
  };
}
