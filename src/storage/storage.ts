import type { Readable } from 'node:stream';
import type { ColumnBound } from '../engine/sql-bounds.ts';

/** A Parquet object or file found under an input location. */
export interface StoredObject {
  /** Storage URI (a local absolute path for local storage). */
  uri: string;
  size: number;
  /**
   * Version tag: an object store's ETag, or a local file's modification time. A changed tag means
   * changed content.
   */
  etag?: string;
}

/** The bytes of `objects` together: what a job reading them whole reads. */
export function sizeOfObjects(objects: readonly StoredObject[]): number {
  return objects.reduce((sum, object) => sum + object.size, 0);
}

/** One exported file after it reached its destination. */
export interface PublishedFile {
  uri: string;
  sizeBytes: number;
}

/** Local copies of inputs, held until `release` (the staging cache does not evict them before). */
export interface StagedFiles {
  /** One local path per staged object, in the same order. */
  paths: string[];
  release(): void;
}

export interface StageOptions {
  /**
   * Only the Parquet footer is needed (counts without a filter, schemas): object stores fetch it
   * with ranged reads into a sparse local file instead of downloading the object.
   */
  footersOnly?: boolean;
  /**
   * The only columns the reader will read (a count's filter, `unique_by` and breakdown columns; an
   * export's column list and filter):
   * object stores fetch the footer and those columns' chunks with ranged reads into a sparse local
   * copy, unless they are most of the object. DuckDB then reads nothing else of it. Ignored with
   * `footersOnly`, and by local storage (which reads in place).
   */
  columns?: readonly string[];
  /**
   * With `columns`: bounds every row the reader keeps meets (its filter's), so that row groups
   * whose statistics rule them out are not fetched either (see `columnChunkRanges`).
   */
  bounds?: readonly ColumnBound[];
  /**
   * The objects were listed by an earlier job (a count's manifest): check they are still the same.
   * Object stores always check (each read is conditional on the listed ETag).
   */
  verify?: boolean;
}

/**
 * Where inputs are read and exports written. Speaks URIs; knows nothing of tasks or HTTP.
 * Local storage reads in place; object stores stage inputs to a local cache and upload outputs.
 */
export interface Storage {
  /**
   * Parquet files under a folder URI, sorted by URI; empty when the folder does not exist. With
   * `limit`, stops after that many (the first in walk order).
   */
  list(folderUri: string, options: { recursive: boolean; limit?: number }): Promise<StoredObject[]>;
  /** Local paths DuckDB can read for these objects (the same paths for local storage). */
  stage(objects: readonly StoredObject[], options?: StageOptions): Promise<StagedFiles>;
  /** Folders DuckDB must be allowed to read for objects under this input root. */
  localInputDirs(rootUri: string): string[];
  /** A local folder to write exports into before `publish`. */
  scratchDir(): string;
  /**
   * Moves the files of one exported partition from a local folder to `destUri` (a folder), replacing
   * whatever was there, and returns them in name order. A file is returned only once it is complete.
   */
  publish(localFiles: readonly string[], destUri: string): Promise<PublishedFile[]>;
  /**
   * Copies whole stored objects into `destUri` (a folder) as `names` (one per source), replacing
   * whatever was there as `publish` does, and returns them in name order. Within one object store
   * the store copies them on its side (no byte passes through this process); a local file is copied
   * by the file system; across stores each is staged and uploaded.
   */
  copy(sources: readonly StoredObject[], names: readonly string[], destUri: string): Promise<PublishedFile[]>;
  /**
   * Writes one small object (a manifest, a marker) at `uri`, replacing it if it exists; never
   * touches anything else in its folder. A reader sees the whole body or nothing.
   */
  write(uri: string, body: string): Promise<PublishedFile>;
  /**
   * Deletes everything under a folder URI, whatever the names, and the folder itself; nothing to do
   * when it does not exist. For the files of a cancelled task.
   */
  remove(folderUri: string): Promise<void>;
  /**
   * Deletes exactly these files, all in one backend (those that are not there are skipped): what a
   * job that failed part way through publishing had published already.
   */
  removeFiles(uris: readonly string[]): Promise<void>;
  /** A readable stream of a stored file, for the download route. */
  read(uri: string): Promise<Readable>;
  /**
   * A presigned GET URL signed at `signedAt` and valid for `validForMs` from then, or undefined when
   * the API serves the file itself. Its answer saves the file as `fileName` (`Content-Disposition`).
   */
  link(uri: string, validForMs: number, fileName: string, signedAt: Date): Promise<string | undefined>;
  /** Joins a folder URI and a relative path. */
  join(folderUri: string, relative: string): string;
}
