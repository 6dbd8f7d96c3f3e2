import fs from 'node:fs/promises';
import path from 'node:path';
import { diskFull, isDiskFull, StorageError } from './storage-error.ts';

interface Entry {
  etag: string;
  bytes: number;
  lastUsed: number;
  pins: number;
}

/**
 * Local copies of remote objects for DuckDB, capped in bytes. Least recently used copies that no
 * running job holds are evicted first; a copy is reused while the object's ETag is unchanged (so a
 * task's export reads what its count staged).
 */
export class StagingCache {
  private readonly entries = new Map<string, Entry>();
  private readonly filling = new Map<string, Promise<void>>();
  private usedBytes = 0;
  private tick = 0;

  constructor(
    readonly root: string,
    private readonly capBytes: number,
  ) {}

  /** Bytes the cache holds now (never above the cap once an acquire returned). */
  get bytes(): number {
    return this.usedBytes;
  }

  /**
   * Makes `localPath` hold the object with `etag`, filling it with `fill` when missing or stale,
   * and pins it until `release`. `bytes` is what the copy occupies on disk.
   */
  async acquire(
    localPath: string,
    etag: string,
    bytes: number,
    fill: (target: string) => Promise<void>,
  ): Promise<void> {
    for (;;) {
      const pending = this.filling.get(localPath);
      if (!pending) break;
      await pending.catch(() => undefined);
    }
    const entry = this.entries.get(localPath);
    if (entry && entry.etag === etag) {
      entry.pins += 1;
      entry.lastUsed = ++this.tick;
      return;
    }
    const work = this.fill(localPath, etag, bytes, fill);
    this.filling.set(localPath, work);
    try {
      await work;
    } finally {
      this.filling.delete(localPath);
    }
  }

  release(localPath: string): void {
    const entry = this.entries.get(localPath);
    if (entry && entry.pins > 0) entry.pins -= 1;
  }

  /** Forgets everything and removes the folder (on start: no stale copies survive a restart). */
  async clear(): Promise<void> {
    this.entries.clear();
    this.usedBytes = 0;
    await fs.rm(this.root, { recursive: true, force: true });
  }

  private async fill(
    localPath: string,
    etag: string,
    bytes: number,
    fill: (target: string) => Promise<void>,
  ) {
    const stale = this.entries.get(localPath);
    if (stale) {
      if (stale.pins > 0) {
        throw new StorageError(
          'object_changed',
          `${path.basename(localPath)} changed while another job was reading it`,
          false,
        );
      }
      await this.evict(localPath, stale);
    }
    if (bytes > this.capBytes) {
      throw new StorageError(
        'staging_too_small',
        `an input object of ${bytes} bytes does not fit the staging cache (STAGING_CACHE_BYTES=${this.capBytes})`,
      );
    }
    const entry: Entry = { etag, bytes, lastUsed: ++this.tick, pins: 1 };
    await this.reserve(localPath, entry);
    const temp = `${localPath}.${process.pid}.${this.tick}.part`;
    try {
      await fs.mkdir(path.dirname(localPath), { recursive: true });
      await fill(temp);
      await fs.rename(temp, localPath);
    } catch (error) {
      this.entries.delete(localPath);
      this.usedBytes -= bytes;
      await fs.rm(temp, { force: true });
      throw isDiskFull(error) ? diskFull(this.root, error) : error;
    }
  }

  /**
   * Counts the entry in, evicting idle copies first when needed. The check and the count happen
   * with no await between them, so fills racing each other cannot overshoot the cap together.
   */
  private async reserve(localPath: string, entry: Entry): Promise<void> {
    const fits = () => {
      if (this.usedBytes + entry.bytes > this.capBytes) return false;
      this.entries.set(localPath, entry);
      this.usedBytes += entry.bytes;
      return true;
    };
    if (fits()) return;
    const idle = [...this.entries.entries()]
      .filter(([, other]) => other.pins === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [otherPath, other] of idle) {
      // A concurrent fill may have evicted or pinned it since the snapshot.
      if (this.entries.get(otherPath) !== other || other.pins > 0) continue;
      await this.evict(otherPath, other);
      if (fits()) return;
    }
    if (!fits()) {
      // Everything left is held by running jobs: try again once they are done.
      throw new StorageError(
        'staging_full',
        `the staging cache (STAGING_CACHE_BYTES=${this.capBytes}) cannot hold the inputs of the running jobs; ` +
          'raise it or lower WORKER_CONCURRENCY',
        false,
      );
    }
  }

  private async evict(localPath: string, entry: Entry): Promise<void> {
    if (this.entries.get(localPath) !== entry) return;
    this.entries.delete(localPath);
    this.usedBytes -= entry.bytes;
    await fs.rm(localPath, { force: true });
  }
}
