import { LRUCache } from 'lru-cache';
import type { StoredObject } from '../../storage/storage.ts';
import { sha256Of } from './export-files.ts';

/** Files whose checksums are remembered: a few dozen bytes each. */
const REMEMBERED = 100_000;

/**
 * SHA-256 of local input files, remembered per file version (path, size and modification time), so
 * exports that copy the same unchanged files hash each of them once.
 */
export class FileChecksums {
  private readonly known = new LRUCache<string, string>({ max: REMEMBERED });

  async of(file: StoredObject): Promise<string> {
    const key = `${file.uri}\n${file.size}\n${file.etag ?? ''}`;
    const known = this.known.get(key);
    if (known) return known;
    const sha256 = await sha256Of(file.uri);
    this.known.set(key, sha256);
    return sha256;
  }
}
