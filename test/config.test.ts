import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-config-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('EXPORT_COMPRESSION', () => {
  it('defaults to snappy and accepts every codec DuckDB writes, in any case', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).exportCompression).toBe('snappy');
    for (const [value, codec] of [
      ['zstd', 'zstd'],
      ['GZIP', 'gzip'],
      ['Snappy', 'snappy'],
      ['uncompressed', 'uncompressed'],
    ]) {
      expect(loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value }).exportCompression).toBe(codec);
    }
  });

  it.each(['lz4', 'brotli', "zstd'); DROP", 'none'])(
    'refuses %s, naming the variable and the choices',
    (value) => {
      expect(() => loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value })).toThrow(
        /EXPORT_COMPRESSION: .* must be one of snappy, zstd, gzip, uncompressed/,
      );
    },
  );
});
