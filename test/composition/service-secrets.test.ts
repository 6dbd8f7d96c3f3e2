import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSecrets } from '../../src/composition/service-secrets.ts';
import { loadConfig } from '../../src/config.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDataDir(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-secrets-'));
  dirs.push(parent);
  return path.join(parent, 'data');
}

describe('the signing secrets', () => {
  it('are not written while the configuration loads: DATA_DIR is left alone', () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.secrets).toEqual({ jwt: undefined, link: undefined });
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('are generated once into DATA_DIR at start, readable by the owner only, and read back on restart', () => {
    const dataDir = freshDataDir();
    const first = ensureSecrets(loadConfig({ DATA_DIR: dataDir }));
    expect(first.jwt).not.toBe(first.link);
    expect(first.jwt.length).toBeGreaterThanOrEqual(32);
    for (const file of ['jwt-secret', 'link-secret']) {
      expect(fs.statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe(first.jwt);
    expect(ensureSecrets(loadConfig({ DATA_DIR: dataDir }))).toEqual(first);
  });

  it('come from the environment when given, and then no file is written', () => {
    const dataDir = freshDataDir();
    const jwt = 'j'.repeat(32);
    const link = 'l'.repeat(40);
    expect(ensureSecrets(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: jwt, LINK_SECRET: link }))).toEqual({
      jwt,
      link,
    });
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('are required with DATABASE_URL (replicas share them), and at least 32 characters', () => {
    const dataDir = freshDataDir();
    const shared = { DATA_DIR: dataDir, DATABASE_URL: 'postgres://u:p@127.0.0.1/db' };
    expect(() => loadConfig({ ...shared, LINK_SECRET: 'l'.repeat(32) })).toThrow(
      /^JWT_SECRET: is required when DATABASE_URL is set/,
    );
    expect(() => loadConfig({ ...shared, JWT_SECRET: 'j'.repeat(32) })).toThrow(/^LINK_SECRET: is required/);
    expect(() => loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'short' })).toThrow(
      /^JWT_SECRET: must be at least 32 characters$/,
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
