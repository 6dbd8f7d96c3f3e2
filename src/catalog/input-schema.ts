import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { Sandbox, type SandboxOptions } from '../engine/duckdb-sandbox.ts';
import { describeColumns } from '../engine/parquet-queries.ts';
import type { ColumnInfo } from '../engine/sql-guard.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';

export type EngineLimits = Pick<SandboxOptions, 'memoryLimit' | 'threads' | 'timeoutMs'>;

/**
 * Columns of an input, read from one file's footer. Cached by file and size, so creating many tasks
 * over the same tree opens DuckDB once.
 */
export class InputSchemas {
  private readonly cache = new LRUCache<string, ColumnInfo[]>({ max: 256 });

  constructor(private readonly limits: EngineLimits) {}

  /**
   * The columns of a stored file, from its footer: staged (one ranged read on an object store)
   * only when they are not cached yet. Throws the storage's `StorageError` when the footer cannot
   * be fetched, and DuckDB's error when the file is not Parquet.
   */
  async columns(
    storage: Pick<Storage, 'stage'>,
    file: StoredObject,
    hive: boolean,
    hiveTypes?: Record<string, string>,
  ): Promise<ColumnInfo[]> {
    const key = `${file.uri}\n${file.size}\n${file.etag ?? ''}\n${hive}\n${JSON.stringify(hiveTypes ?? null)}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const staged = await storage.stage([file], { footersOnly: true });
    try {
      const columns = await this.describe(staged.paths[0]!, hive, hiveTypes);
      this.cache.set(key, columns);
      return columns;
    } finally {
      staged.release();
    }
  }

  private async describe(
    localPath: string,
    hive: boolean,
    hiveTypes: Record<string, string> | undefined,
  ): Promise<ColumnInfo[]> {
    const dir = path.dirname(localPath);
    const sandbox = await Sandbox.open({
      ...this.limits,
      threads: 1,
      allowedDirectories: [dir],
      tempDirectory: dir,
    });
    try {
      return await describeColumns(sandbox, { files: [localPath], hive, hiveTypes });
    } finally {
      sandbox.close();
    }
  }
}
