import path from 'node:path';
import { minimumAudienceWarnings } from '../activation/profile-warnings.ts';
import { compareText } from '../compare.ts';
import type { TaskDetail, TaskSummary } from '../contract/task-schemas.ts';
import type { DownloadLinks } from '../downloads/download-links.ts';
import { downloadName, partitionFolder } from '../downloads/download-name.ts';
import type { Storage } from '../storage/storage.ts';
import { countsOfJobs } from '../store/counts.ts';
import type { FileRecord, JobRecord, Store, TaskRecord, TaskVersion } from '../store/store.ts';
import { MANIFEST_PARTITION } from './manifest-document.ts';
import { AnswerCache, type SerializedDetail } from './task-answer-cache.ts';
import { profileOf, type SegmentFiguresView, type StoredRequest } from './task-model.ts';

/** Shapes stored tasks into the API's task answers. */
export class TaskViews {
  /**
   * Links are signed at the start of a signing window (a hundredth of the link TTL, at most a minute)
   * and stay valid for the TTL plus the window, so every read gets a link valid for at least the TTL
   * and reads within one window get the same answer, which is then served from this cache.
   */
  private readonly signingWindowMs: number;
  private readonly answers = new AnswerCache();

  constructor(
    private readonly store: Store,
    private readonly links: DownloadLinks,
    private readonly storage: Storage,
    private readonly linkTtlMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.signingWindowMs = Math.min(60_000, Math.max(1, Math.floor(linkTtlMs / 100)));
  }

  /**
   * The task detail as JSON, serialised once per version of the task and signing window. Every
   * change a reader can see (a job done or failed, a new status) goes through the task row, so its
   * status, job counters and `updated_at` name the version; a client polling a running task costs
   * one store read, not a merge of every job's counts.
   */
  async detailJson(task: TaskRecord): Promise<SerializedDetail> {
    const { key, signedAt } = this.cacheKey(task);
    const cached = this.answers.get(key);
    if (cached) return cached;
    return this.answers.add(key, Buffer.from(JSON.stringify(await this.detail(task, signedAt))));
  }

  /** The serialised detail of this version of the task, if it is cached for the current window. */
  cachedDetail(task: TaskVersion): SerializedDetail | undefined {
    return this.answers.get(this.cacheKey(task).key);
  }

  private cacheKey(task: TaskVersion): { key: string; signedAt: Date } {
    const now = this.clock().getTime();
    const signedAt = new Date(now - (now % this.signingWindowMs));
    return { key: `${task.id}\n${versionOf(task)}\n${signedAt.getTime()}`, signedAt };
  }

  /**
   * A weak entity tag of the task's state: it changes whenever anything in the detail does, except
   * the signatures of the links, which a client's earlier copy still holds valid ones of.
   */
  etag(task: TaskVersion): string {
    return `W/"${versionOf(task)}"`;
  }

  summary(task: TaskRecord): TaskSummary {
    return {
      task_id: task.id,
      name: task.name,
      type: task.type,
      status: task.status,
      total_jobs: task.totalJobs,
      completed_jobs: task.completedJobs,
      failed_jobs: task.failedJobs,
      total_count: task.totalCount,
      error: task.error,
      audience: (task.request as Partial<StoredRequest>).audience ?? null,
      created_at: task.createdAt,
      updated_at: task.updatedAt,
      completed_at: task.completedAt,
      expires_at: task.expiresAt,
    };
  }

  /**
   * A link to the task's `manifest.json`, signed now, or null while the task has none (it is
   * written when an export completes).
   */
  async manifestLink(task: TaskRecord): Promise<string | null> {
    const manifest = (await this.store.listFiles(task.id)).find(
      (file) => file.partition === MANIFEST_PARTITION,
    );
    return manifest ? this.link(manifest, this.clock()) : null;
  }

  /** Signed afresh at each read: presigned by the object store, or through the API's download route. */
  private async link(file: FileRecord, signedAt: Date): Promise<string> {
    const validFor = this.linkTtlMs + this.signingWindowMs;
    // Every partition's first file is `data_0…`: the saved name says which partition it holds.
    const name = downloadName(file.partition, file.uri);
    const presigned = await this.storage.link(file.uri, validFor, name, signedAt);
    return presigned ?? this.links.url(file.id, name, signedAt, validFor);
  }

  async detail(task: TaskRecord, signedAt: Date): Promise<TaskDetail> {
    // Final counts are stored on the task; only a task still counting merges its jobs' counts.
    const [counts, stored] = await Promise.all([
      task.countsJson === null ? this.store.listJobs(task.id).then(countsOf) : JSON.parse(task.countsJson),
      this.store.listFiles(task.id),
    ]);
    const files = stored.filter((file) => file.partition !== MANIFEST_PARTITION);
    const manifest = stored.find((file) => file.partition === MANIFEST_PARTITION);
    const link = (file: FileRecord) => this.link(file, signedAt);
    const fileViews = await Promise.all(
      files.map(async (file) => ({
        partition: file.partition,
        uri: file.uri,
        url: await link(file),
        rows: file.rows,
        size_bytes: file.sizeBytes,
        sha256: file.sha256,
      })),
    );
    const figures = figuresOf(task);
    return {
      ...this.summary(task),
      counts,
      outputs: outputsOf(files),
      output_links: fileViews.map((file) => file.url),
      files: fileViews,
      warnings: [
        ...((task.request as Partial<StoredRequest>).warnings ?? []),
        ...profileWarningsOf(task, figures.unique_count),
      ],
      manifest_url: manifest ? await link(manifest) : null,
      ...figures,
      request: requestOf(task),
    };
  }
}

/** Every change a reader can see goes through the task row: its status, job counters and time. */
function versionOf(task: TaskVersion): string {
  const updated = Date.parse(task.updatedAt).toString(36);
  return `${task.status}.${task.totalJobs}.${task.completedJobs}.${task.failedJobs}.${updated}`;
}

/** Counts come from the count jobs, or from the export jobs of a task with a limit (it has no count phase). */
function countsOf(jobs: JobRecord[]): Record<string, number> {
  const merged = countsOfJobs(jobs, jobs.some((job) => job.phase === 'count') ? 'count' : 'unload');
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => compareText(a, b)));
}

/** Each partition's folder (a sliced people export's files are in folders below `people/`). */
function outputsOf(files: FileRecord[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const file of files) {
    outputs[file.partition] ??= partitionFolder(file.partition, file.uri) ?? path.dirname(file.uri);
  }
  return outputs;
}

/** Figures of the whole segment once the task's count wrote them; null before and without any. */
function figuresOf(task: TaskRecord): Pick<TaskDetail, keyof SegmentFiguresView> {
  const none = {
    unique_count: null,
    unique_counts: null,
    breakdowns: null,
    delta: null,
    invalid_identifiers: null,
    split_counts: null,
    held_back: null,
  };
  return task.figuresJson === null ? none : { ...none, ...JSON.parse(task.figuresJson) };
}

/**
 * A profile export's warning once its people are known (counted, or written by an export that
 * counts as it writes): fewer than its platform's minimum audience.
 */
function profileWarningsOf(task: TaskRecord, people: number | null): TaskDetail['warnings'] {
  const profile = profileOf((task.request as StoredRequest).plan);
  return profile === null || people === null ? [] : minimumAudienceWarnings(profile.name, people);
}

/** The request as normalised at creation; tasks stored before a field was added show its default. */
function requestOf(task: TaskRecord): StoredRequest['view'] {
  const view: Partial<StoredRequest['view']> = (task.request as StoredRequest).view;
  const people =
    task.type === 'intent_hive'
      ? { min_topics: null, min_days: null, strict: false }
      : { latest_by: null, identifier: null };
  const layout = { format: 'parquet', compression: null, single_file: false, max_file_bytes: null };
  return {
    unique_by: null,
    breakdown_by: null,
    output: 'rows',
    profile: null,
    ...people,
    ...layout,
    splits: null,
    split_salt: null,
    ...view,
  } as StoredRequest['view'];
}
