import { createHash } from 'node:crypto';
import { compareText } from '../compare.ts';
import type { IntentCatalogReply } from '../contract/catalog-schemas.ts';
import { AppError } from '../errors.ts';
import { isObjectUri } from '../storage/object-location.ts';
import type { Storage, StoredObject } from '../storage/storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { FooterRows } from './footer-rows.ts';
import type { InputSchemas } from './input-schema.ts';
import { INTENT_HIVE_TYPES, SCORES } from './intent-layout.ts';

export interface IntentCatalogOptions {
  storage: Storage;
  footers: FooterRows;
  schemas: InputSchemas;
  intentInputPath: string;
  /** How long the catalog of an object-store tree is served before the tree is listed again. */
  ttlMs: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
}

/** One file of the tree with rows, and the partition it sits in. */
export interface CatalogFile {
  object: StoredObject;
  day: string;
  prefix: string;
  score: string;
}

/**
 * The catalog with the files it was built from. `version` changes whenever a file is added,
 * removed or rewritten, so indexes built from the files (the topic index) know when to rebuild.
 */
export interface CatalogSnapshot {
  view: IntentCatalogReply;
  files: readonly CatalogFile[];
  version: string;
}

/** `day=…/prefix=…/score=…/file.parquet`, relative to the tree's root. */
const LAYOUT = /^day=([^/]+)\/prefix=([^/]+)\/score=([^/]+)\/[^/]+$/;

/**
 * The intent tree's catalog. A local tree is listed at each request (a walk of a few hundred files
 * takes milliseconds), so a change shows at once; an object-store tree is listed again once
 * `ttlMs` has passed. Footer row counts and the schema come from caches keyed by each file's
 * size and etag, so only new or changed files are read.
 */
export class IntentCatalog {
  private readonly now: () => number;
  private cached: { snapshot: CatalogSnapshot; at: number } | undefined;
  private refreshing: Promise<CatalogSnapshot> | undefined;

  constructor(private readonly options: IntentCatalogOptions) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<IntentCatalogReply> {
    return (await this.snapshot()).view;
  }

  /**
   * The catalog, the files with rows it counts, and its version: the last listing when it is less
   * than `maxAgeMs` old, else a new one. By default a local tree is listed every time and an
   * object-store tree once per `ttlMs` (as `get`); `0` always lists, and a longer age lets a check
   * that confirms its findings with a new listing start from an older one (a create's warnings).
   */
  async snapshot(
    maxAgeMs = isObjectUri(this.options.intentInputPath) ? this.options.ttlMs : 0,
  ): Promise<CatalogSnapshot> {
    const cached = this.cached;
    if (cached && this.now() - cached.at < maxAgeMs) return cached.snapshot;
    // Requests arriving during a refresh share it rather than list the tree again.
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<CatalogSnapshot> {
    const at = this.now();
    const root = this.options.intentInputPath.replace(/\/+$/, '');
    try {
      const listed = await this.options.storage.list(root, { recursive: true });
      // Files outside the day=/prefix=/score= layout are not intent data: no task reads them.
      const files = listed.flatMap((object) => {
        const match = LAYOUT.exec(object.uri.slice(root.length + 1));
        return match ? [{ object, day: match[1]!, prefix: match[2]!, score: match[3]! }] : [];
      });
      const rows = await this.options.footers.rows(files.map((file) => file.object));
      const days = new Set<string>();
      const prefixes = new Set<string>();
      const scores = new Set<string>();
      files.forEach((file, i) => {
        // A value shows once it has rows, as it would in a query of the data.
        if (rows[i]! === 0) return;
        days.add(file.day);
        prefixes.add(file.prefix);
        scores.add(file.score);
      });
      const view: IntentCatalogReply = {
        days: [...days].sort(compareText),
        prefixes: [...prefixes].sort(compareText),
        scores: [...scores].sort(byScore),
        columns: files[0]
          ? await this.options.schemas.columns(this.options.storage, files[0].object, true, INTENT_HIVE_TYPES)
          : [],
        files: files.length,
        rows: rows.reduce((sum, n) => sum + n, 0),
        bytes: files.reduce((sum, file) => sum + file.object.size, 0),
      };
      const withRows = files.filter((_, i) => rows[i]! > 0);
      const version = createHash('sha256');
      for (const { object } of withRows)
        version.update(`${object.uri}\n${object.size}\n${object.etag ?? ''}\n`);
      const snapshot = { view, files: withRows, version: version.digest('hex').slice(0, 16) };
      this.cached = { snapshot, at };
      return snapshot;
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      // The tree is the server's, not the caller's: its location stays out of the answer.
      throw new AppError(
        'storage_unavailable',
        `the intent data could not be read (${error.code})${error.permanent ? '' : '; try again later'}`,
      );
    }
  }
}

/** Scores in their order (low < medium < high), anything else after them by name. */
function byScore(a: string, b: string): number {
  const rank = (score: string) => {
    const index = (SCORES as readonly string[]).indexOf(score);
    return index < 0 ? SCORES.length : index;
  };
  return rank(a) - rank(b) || compareText(a, b);
}
