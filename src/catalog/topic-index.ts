import { LRUCache } from 'lru-cache';
import { compareText } from '../compare.ts';
import type { TopicSummary, TopicsReply } from '../contract/catalog-schemas.ts';
import { Sandbox, type SandboxOptions } from '../engine/duckdb-sandbox.ts';
import { quoteString } from '../engine/sql-quote.ts';
import { AppError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { CatalogFile, CatalogSnapshot, IntentCatalog } from './intent-catalog.ts';

export interface TopicIndexOptions {
  catalog: Pick<IntentCatalog, 'snapshot'>;
  storage: Storage;
  intentInputPath: string;
  /** DuckDB limits of one build (it runs in the API process). */
  limits: Pick<SandboxOptions, 'memoryLimit' | 'threads' | 'timeoutMs'>;
  /** Indexes kept, one per (days, catalog version). @defaultValue 16 */
  maxEntries?: number;
}

/** The topics of the newest days of the tree, built once per (days, catalog version). */
export interface TopicTable {
  days: string[];
  topics: TopicSummary[];
}

/** Default of `days`: a week. */
export const DEFAULT_TOPIC_DAYS = 7;

/**
 * Topics of the intent data with their rows and distinct people, for finding topics by name.
 * Built by one DuckDB scan of the newest `days` days the first time they are asked for a catalog
 * version, then cached: searches filter the cached rows. People are distinct across days, so each
 * `days` value has its own entry; a new catalog version (a file added, removed or rewritten)
 * makes every entry stale, and the few kept are bounded by an LRU. Builds run one at a time.
 */
export class TopicIndex {
  private readonly cache: LRUCache<string, Promise<TopicTable>>;
  /** The last build queued: builds run one at a time, so many `days` values cost one scan at once. */
  private lastBuild: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TopicIndexOptions) {
    this.cache = new LRUCache({ max: options.maxEntries ?? 16 });
  }

  /** The topics matching `q` (name or id, any case), most rows first, at most `limit`. */
  async search(query: { q?: string; days?: number; limit?: number }): Promise<TopicsReply> {
    const table = await this.table(query.days ?? DEFAULT_TOPIC_DAYS);
    const needle = query.q?.trim().toLowerCase() ?? '';
    const matching = needle
      ? table.topics.filter(
          (topic) =>
            topic.topic_name.toLowerCase().includes(needle) || topic.topic_id.toLowerCase().includes(needle),
        )
      : table.topics;
    return { days: table.days, total: matching.length, topics: matching.slice(0, query.limit ?? 50) };
  }

  /** Every topic of the whole tree and its prefix (what a task's `topic_ids` are checked against). */
  async prefixesById(): Promise<ReadonlyMap<string, string>> {
    // Every day of the tree: `table` takes more days than the tree holds as all of them.
    const { topics } = await this.table(Number.POSITIVE_INFINITY);
    return new Map(topics.map((topic) => [topic.topic_id, topic.prefix]));
  }

  /** Every topic of the newest `days` days, most rows first. */
  async table(days: number): Promise<TopicTable> {
    const snapshot = await this.options.catalog.snapshot();
    // More days than the tree holds is all of them: one entry for every such value.
    const span = Math.min(days, snapshot.view.days.length);
    const key = `${snapshot.version}\n${span}`;
    let built = this.cache.get(key);
    if (!built) {
      built = this.lastBuild.then(() => this.build(snapshot, span));
      this.lastBuild = built.catch(() => undefined);
      // A failed build is not kept: the next request tries again.
      built.catch(() => this.cache.delete(key));
      this.cache.set(key, built);
    }
    return built;
  }

  private async build(snapshot: CatalogSnapshot, days: number): Promise<TopicTable> {
    const chosen = days > 0 ? snapshot.view.days.slice(-days) : [];
    const wanted = new Set(chosen);
    const files = snapshot.files.filter((file) => wanted.has(file.day));
    if (files.length === 0) return { days: chosen, topics: [] };
    const { storage, intentInputPath, limits } = this.options;
    let staged: Awaited<ReturnType<Storage['stage']>>;
    try {
      staged = await storage.stage(files.map((file) => file.object));
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      throw new AppError(
        'storage_unavailable',
        `the intent data could not be read (${error.code}); try again later`,
      );
    }
    try {
      const sandbox = await Sandbox.open({
        ...limits,
        allowedDirectories: storage.localInputDirs(intentInputPath),
        tempDirectory: '',
      });
      try {
        const rows = await sandbox.query(topicsSql(files, staged.paths));
        const topics = rows.map((row) => ({
          topic_id: String(row.topic_id),
          topic_name: String(row.topic_name),
          prefix: String(row.prefix),
          rows: Number(row.rows),
          people: Number(row.people),
        }));
        topics.sort((a, b) => b.rows - a.rows || compareText(a.topic_id, b.topic_id));
        return { days: chosen, topics };
      } finally {
        sandbox.close();
      }
    } finally {
      staged.release();
    }
  }
}

/**
 * One scan: each file's prefix comes from the catalog (staged copies of an object store need not
 * keep the folder layout), so files are read per prefix and their rows tagged with it.
 */
function topicsSql(files: readonly CatalogFile[], paths: readonly string[]): string {
  const byPrefix = new Map<string, string[]>();
  files.forEach((file, i) => {
    const list = byPrefix.get(file.prefix) ?? [];
    list.push(paths[i]!);
    byPrefix.set(file.prefix, list);
  });
  const parts = [...byPrefix].map(
    ([prefix, local]) =>
      `SELECT ${quoteString(prefix)} AS prefix, topic_id, coalesce(topic_name, '') AS topic_name, person_id ` +
      `FROM read_parquet([${local.map(quoteString).join(', ')}], hive_partitioning = false)`,
  );
  return (
    `SELECT topic_id, topic_name, prefix, count(*) AS rows, count(DISTINCT person_id) AS people ` +
    `FROM (${parts.join(' UNION ALL ')}) WHERE topic_id IS NOT NULL ` +
    `GROUP BY topic_id, topic_name, prefix`
  );
}
