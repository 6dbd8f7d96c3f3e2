import { LRUCache } from 'lru-cache';
import { ParquetFooterError, parquetRowCounts } from '../engine/parquet-footer.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';

/** Files whose row counts are remembered: a few bytes each, so far more than any tree a task reads. */
const CACHED_FILES = 200_000;

/** A file that is not readable Parquet, named by its storage URI (not a local cache path). */
export class UnreadableFooterError extends Error {
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(`${uri}: not a readable Parquet file (${reason})`);
    this.name = 'UnreadableFooterError';
  }
}

/**
 * Rows of Parquet files from their footers, remembered per file (URI, size and etag: an object's ETag,
 * a local file's modification time), so the catalog and repeated estimates read no footer twice.
 * Object stores stage only the footers (two ranged reads per object); local files are read in place.
 */
export class FooterRows {
  // Bounded by `maxSize` (one per entry) rather than `max`: with `max`, lru-cache allocates its
  // arrays for every entry up front, 17 ms at each start of the service for a cache mostly empty.
  private readonly cache = new LRUCache<string, number>({ maxSize: CACHED_FILES, sizeCalculation: () => 1 });

  constructor(private readonly storage: Storage) {}

  /**
   * Rows of each object, in order. Throws `UnreadableFooterError` for a file that is not Parquet and
   * the storage's `StorageError` when it cannot be read.
   */
  async rows(objects: readonly StoredObject[]): Promise<number[]> {
    const counts = objects.map((object) => this.cache.get(keyOf(object)));
    const missing = objects.filter((_object, i) => counts[i] === undefined);
    if (missing.length > 0) {
      const read = await this.read(missing);
      let next = 0;
      for (const [i, count] of counts.entries()) {
        if (count !== undefined) continue;
        const rows = read[next++]!;
        counts[i] = rows;
        this.cache.set(keyOf(objects[i]!), rows);
      }
    }
    return counts as number[];
  }

  private async read(objects: readonly StoredObject[]): Promise<number[]> {
    const staged = await this.storage.stage(objects, { footersOnly: true });
    try {
      return await parquetRowCounts(staged.paths);
    } catch (error) {
      if (!(error instanceof ParquetFooterError)) throw error;
      const index = staged.paths.indexOf(error.path);
      const uri = objects[index]?.uri ?? error.path;
      throw new UnreadableFooterError(uri, error.reason);
    } finally {
      staged.release();
    }
  }
}

function keyOf(object: StoredObject): string {
  return `${object.uri}\n${object.size}\n${object.etag ?? ''}`;
}
