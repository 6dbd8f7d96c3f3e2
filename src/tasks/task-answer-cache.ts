import { gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';

/**
 * A task detail serialised once: the JSON bytes, and their gzip form made on first demand, so a
 * client that accepts gzip (most do) gets a large answer in a tenth of the bytes without the server
 * compressing it again for every read.
 */
export class SerializedDetail {
  private compressed: Buffer | undefined;

  constructor(
    readonly json: Buffer,
    /** Called once, when the gzip form has been made (the bytes held have grown). */
    private readonly onCompressed?: () => void,
  ) {}

  gzip(): Buffer {
    if (!this.compressed) {
      this.compressed = gzipSync(this.json, { level: 6 });
      this.onCompressed?.();
    }
    return this.compressed;
  }

  /** Bytes held: the JSON and, once made, its gzip form. */
  get byteLength(): number {
    return this.json.length + (this.compressed?.length ?? 0);
  }
}

export interface AnswerCacheOptions {
  /**
   * Bytes the cached answers may hold, JSON and gzip forms together; an answer larger than this
   * is served but not kept.
   * @defaultValue 64 MiB
   */
  maxBytes?: number;
  /** @defaultValue 256 */
  maxEntries?: number;
}

/** Serialised task answers, least recently used out first, bounded by count and by bytes. */
export class AnswerCache {
  private readonly answers: LRUCache<string, SerializedDetail>;

  constructor(options: AnswerCacheOptions = {}) {
    this.answers = new LRUCache({
      max: options.maxEntries ?? 256,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (detail) => detail.byteLength,
    });
  }

  get(key: string): SerializedDetail | undefined {
    return this.answers.get(key);
  }

  /** Serialises an answer once and keeps it under `key` (if it fits). */
  add(key: string, json: Buffer): SerializedDetail {
    const detail: SerializedDetail = new SerializedDetail(json, () => this.remeasure(key, detail));
    this.answers.set(key, detail);
    return detail;
  }

  /** Bytes the cached answers hold now. */
  get cachedBytes(): number {
    return this.answers.calculatedSize;
  }

  /** lru-cache measures an entry when it is set, so the gzip form made later is counted by setting it anew. */
  private remeasure(key: string, detail: SerializedDetail): void {
    if (this.answers.peek(key) !== detail) return;
    this.answers.delete(key);
    this.answers.set(key, detail);
  }
}
