import { minimumAudienceWarnings } from '../activation/profile-warnings.ts';
import { activationProfile } from '../activation/profiles.ts';
import { percentOf } from '../activation/splits.ts';
import { compareText } from '../compare.ts';
import type { DataWarnings } from '../contract/task-schemas.ts';
import { SPLIT_BUCKETS } from '../engine/split-buckets.ts';
import type { ExportSchema, FileRecord, OutputColumn, TaskRecord } from '../store/store.ts';
import {
  type AudienceRunRef,
  DEFAULT_LAYOUT,
  type DeltaView,
  profileOf,
  type SegmentFiguresView,
  type StoredRequest,
  splitPartition,
  splitsOf,
  type TaskPlan,
} from './task-model.ts';

export { MANIFEST_PARTITION } from '../store/store.ts';
export const MANIFEST_NAME = 'manifest.json';
/** Written after the manifest: a consumer that sees it can trust every file the manifest lists. */
export const SUCCESS_NAME = '_SUCCESS';

/** What `manifest.json` holds: everything a consumer needs to load an export and check it. */
export interface ExportManifest {
  task_id: string;
  type: string;
  request: unknown;
  created_at: string;
  completed_at: string;
  format: string;
  compression: string;
  schema: OutputColumn[];
  total_rows: number;
  files: Array<{ path: string; partition: string; rows: number; bytes: number; sha256: string | null }>;
  /** A saved audience's run: which, the days it read, and for a delta run what it was against. */
  audience?: AudienceRunRef & {
    days: string[] | null;
    delta: DeltaView | null;
  };
  /** A profile export: the platform's file rules the files follow. */
  profile?: {
    name: string;
    platform: string;
    columns: readonly string[];
    identifier_column: string;
    max_rows_per_file: number | null;
    max_bytes_per_file: number | null;
    minimum_audience: number | null;
  };
  /** A profile export: distinct identifier values left out for not being a hex SHA-256. */
  invalid_identifiers?: number | null;
  /** A profile export: fewer people than the platform's minimum audience. */
  warnings?: DataWarnings;
  /** A split export: the people of every part, delivered or not. */
  split_counts?: Record<string, number> | null;
  /** A split export: how people were assigned, and where each part is. */
  splits?: ManifestSplits;
}

/** A split export's parts in the manifest (docs/activation.md, "Splits and holdouts"). */
export interface ManifestSplits {
  salt: string;
  /** bucket = first 8 bytes of SHA-256(salt ‖ person) as a big-endian unsigned integer, mod this. */
  buckets: number;
  parts: Array<{
    name: string;
    percent: number;
    /** The part's buckets: [first, end). */
    bucket_range: [number, number];
    delivered: boolean;
    people: number | null;
    /** A delivered part: its folder under the export (`split=NAME`); a holdout: null. */
    partition: string | null;
    /** A holdout: its files in the service's own area (never in the export). */
    held_back: Array<{ path: string; rows: number; bytes: number; sha256: string | null }> | null;
  }>;
}

export interface ManifestInput {
  task: TaskRecord;
  /** The task's data files (not its manifest). */
  files: readonly FileRecord[];
  /** What its export jobs wrote; none when they wrote no file. */
  schema: ExportSchema | undefined;
  /** The task's output folder: file paths are relative to it. */
  root: string;
  completedAt: string;
  /** The server's Parquet codec, for a request that named none. */
  defaultCompression: string;
  /** The task's figures (`TaskRecord.figuresJson`): a delta run's counts are there. */
  figures?: SegmentFiguresView | null;
}

/** The manifest of a finished export, files in path order. */
export function exportManifest({
  task,
  files,
  schema,
  root,
  completedAt,
  defaultCompression,
  figures,
}: ManifestInput) {
  const { view, plan, audience } = task.request as StoredRequest;
  const layout = plan.layout ?? DEFAULT_LAYOUT;
  // Files copied as they were keep the input's codec.
  const compression = layout.compression ?? schema?.codec ?? defaultCompression;
  const prefix = `${root.replace(/\/+$/, '')}/`;
  const listed = files
    .map((file) => ({
      path: file.uri.startsWith(prefix) ? file.uri.slice(prefix.length) : file.uri,
      partition: file.partition,
      rows: file.rows,
      bytes: file.sizeBytes,
      sha256: file.sha256,
    }))
    .sort((a, b) => compareText(a.path, b.path));
  const manifest: ExportManifest = {
    task_id: task.id,
    type: task.type,
    request: view,
    created_at: task.createdAt,
    completed_at: completedAt,
    format: layout.format,
    compression: compression === 'uncompressed' ? 'none' : compression,
    schema: schema?.columns ?? [],
    total_rows: listed.reduce((sum, file) => sum + file.rows, 0),
    files: listed,
  };
  if (audience) {
    const days = 'days' in view ? view.days : null;
    manifest.audience = { ...audience, days, delta: figures?.delta ?? null };
  }
  const profile = profileOf(plan);
  if (profile) {
    const rules = activationProfile(profile.name);
    manifest.profile = {
      name: profile.name,
      platform: rules.platform,
      columns: rules.columns,
      identifier_column: rules.identifierColumn,
      max_rows_per_file: rules.maxRowsPerFile,
      max_bytes_per_file: rules.maxBytesPerFile,
      minimum_audience: rules.minimumAudience,
    };
    manifest.invalid_identifiers = figures?.invalid_identifiers ?? null;
    const people = figures?.unique_count;
    manifest.warnings = typeof people === 'number' ? minimumAudienceWarnings(profile.name, people) : [];
  }
  const splits = splitsOf(plan);
  if (splits) {
    manifest.split_counts = figures?.split_counts ?? null;
    manifest.splits = manifestSplits(plan, figures);
  }
  return manifest;
}

/** The parts of a split export, each delivered one by its folder, each holdout by its files. */
function manifestSplits(plan: TaskPlan, figures: SegmentFiguresView | null | undefined): ManifestSplits {
  const { salt, splits } = splitsOf(plan)!;
  const heldBack = figures?.held_back ?? [];
  return {
    salt,
    buckets: SPLIT_BUCKETS,
    parts: splits.map((split) => ({
      name: split.name,
      percent: percentOf(split),
      bucket_range: [split.from, split.to],
      delivered: split.deliver,
      people: figures?.split_counts?.[split.name] ?? null,
      partition: split.deliver ? splitPartition(split.name) : null,
      held_back: split.deliver
        ? null
        : heldBack
            .filter((file) => file.split === split.name)
            .map((file) => ({
              path: file.path,
              rows: file.rows,
              bytes: file.size_bytes,
              sha256: file.sha256,
            })),
    })),
  };
}
