import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import pMap from 'p-map';
import { compareText } from '../compare.ts';
import type { ColumnBound } from '../engine/sql-bounds.ts';
import { attachmentDisposition } from './content-disposition.ts';
import { objectError } from './object-errors.ts';
import { type ObjectLocation, type ObjectScheme, objectUri, parseObjectUri } from './object-location.ts';
import { type ByteRanges, columnChunkRanges } from './parquet-chunks.ts';
import { type BodyRetryOptions, DEFAULT_BODY_RETRY, readRange } from './ranged-read.ts';
import { fillAll, readTail, writeAll } from './sparse-files.ts';
import type { StagingCache } from './staging-cache.ts';
import type { PublishedFile, StagedFiles, StageOptions, Storage, StoredObject } from './storage.ts';
import { StorageError } from './storage-error.ts';

/** Ranged downloads: parts of this size, this many at once. */
const PART_BYTES = 8 * 1024 * 1024;
const PARALLEL_PARTS = 4;
const PARALLEL_OBJECTS = 8;
/** Ranged reads of column chunks at once, per object. */
const PARALLEL_RANGES = 8;
/**
 * A query reading some columns (`StageOptions.columns`) stages a sparse copy of their chunks when
 * they are at most this share of the object, else the whole object (one stream beats many ranges).
 */
const COLUMNS_MAX_SHARE = 0.5;
/** What a footer read asks for beyond the length of the last footer read (see `downloadFooter`). */
const FOOTER_SLACK_BYTES = 1024;
/** Room a footer takes in the cache before its size is known. */
const FOOTER_RESERVE_BYTES = 64 * 1024;
const PARQUET_MAGIC = Buffer.from('PAR1');
/** Rounds of deletions in a row that may fail before `remove` gives up. */
const REMOVE_ATTEMPTS = 3;

export interface ObjectStorageOptions {
  /** Reads again a ranged GET whose body breaks off. @defaultValue `DEFAULT_BODY_RETRY` */
  bodyRetry?: BodyRetryOptions;
  /** Sparse copies of the columns a query reads (`StageOptions.columns`); false stages whole objects. @defaultValue true */
  rangedReads?: boolean;
  /**
   * Fills the holes of sparse copies with this byte instead of leaving them empty, so a read of a
   * byte that was never fetched fails loudly (a test's proof that DuckDB reads none).
   */
  holeFill?: number;
}

/** The cache's folders: whole objects, footers alone, footers with some columns' chunks. */
const STAGED_KINDS = ['objects', 'footers', 'columns'] as const;
type StagedKind = (typeof STAGED_KINDS)[number];

/** Bytes moved, for tests and benchmarks (footer-only counts must stay small). */
export class TransferMetrics {
  bytesDownloaded = 0;
  bytesUploaded = 0;
  requests = 0;
}

/**
 * An S3-compatible bucket (AWS, MinIO, R2, GCS interop, ...). Inputs are staged into the local
 * cache for DuckDB; exports are uploaded with multipart uploads and linked with presigned URLs.
 */
export class ObjectStorage implements Storage {
  readonly metrics = new TransferMetrics();
  /** The last footer read, with its length and magic: how much the next footer read asks for. */
  private lastFooterBytes = 0;

  constructor(
    private readonly client: S3Client,
    private readonly scheme: ObjectScheme,
    private readonly cache: StagingCache,
    private readonly scratchRoot: string,
    private readonly options: ObjectStorageOptions = {},
  ) {}

  async list(folderUri: string, options: { recursive: boolean; limit?: number }): Promise<StoredObject[]> {
    const folder = this.locate(folderUri);
    const prefix = folder.key ? `${folder.key}/` : '';
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.send(folderUri, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: folder.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(options.recursive ? {} : { Delimiter: '/' }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? '';
        const relative = key.slice(prefix.length).split('/');
        // Hidden and underscore names are writer leftovers (_SUCCESS, .tmp folders), as on disk.
        if (
          !key.endsWith('.parquet') ||
          relative.some((part) => part.startsWith('.') || part.startsWith('_'))
        )
          continue;
        found.push({
          uri: objectUri({ ...folder, key }),
          size: object.Size ?? 0,
          etag: object.ETag ?? '',
        });
        if (found.length >= limit) break;
      }
      token = page.IsTruncated && found.length < limit ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => compareText(a.uri, b.uri));
  }

  async stage(objects: readonly StoredObject[], options: StageOptions = {}): Promise<StagedFiles> {
    const paths: string[] = [];
    const held: string[] = [];
    let failed = false;
    const release = () => {
      for (const localPath of held.splice(0)) this.cache.release(localPath);
    };
    try {
      await pMap(
        objects,
        async (object, i) => {
          const localPath = await this.stageOne(object, options);
          paths[i] = localPath;
          // A download still under way when another failed ends after the release below: it lets go
          // of its own pin, which nobody else would.
          if (failed) this.cache.release(localPath);
          else held.push(localPath);
        },
        { concurrency: PARALLEL_OBJECTS },
      );
    } catch (error) {
      failed = true;
      release();
      throw error;
    }
    return { paths, release };
  }

  /** Stages one object as the options ask and answers its local path, pinned in the cache. */
  private async stageOne(object: StoredObject, options: StageOptions): Promise<string> {
    const etag = object.etag ?? '';
    if (options.footersOnly) {
      const localPath = this.localPath(object.uri, 'footers');
      await this.cache.acquire(localPath, etag, Math.min(object.size, FOOTER_RESERVE_BYTES), (target) =>
        this.downloadFooter(object, target),
      );
      return localPath;
    }
    if (options.columns && this.options.rangedReads !== false) {
      const staged = await this.stageColumns(object, options.columns, options.bounds ?? []);
      if (staged) return staged;
    }
    const localPath = this.localPath(object.uri, 'objects');
    await this.cache.acquire(localPath, etag, object.size, (target) => this.downloadWhole(object, target));
    return localPath;
  }

  /**
   * A sparse copy holding the footer and the chunks of `columns` (see `columnChunkRanges`), from the
   * footer staged first; undefined when those chunks are most of the object (or the footer cannot be
   * planned from), which is then better staged whole. Copies of other column sets live beside it.
   */
  private async stageColumns(
    object: StoredObject,
    columns: readonly string[],
    bounds: readonly ColumnBound[],
  ): Promise<string | undefined> {
    const etag = object.etag ?? '';
    const footerPath = this.localPath(object.uri, 'footers');
    await this.cache.acquire(footerPath, etag, Math.min(object.size, FOOTER_RESERVE_BYTES), (target) =>
      this.downloadFooter(object, target),
    );
    let tail: Buffer;
    try {
      tail = await readTail(footerPath, object.size);
    } finally {
      this.cache.release(footerPath);
    }
    const chunks = columnChunkRanges(tail, object.size, columns, bounds);
    if (!chunks || chunks.bytes > COLUMNS_MAX_SHARE * object.size) return undefined;
    const localPath = this.localPath(object.uri, 'columns', copyName(columns, bounds));
    await this.cache.acquire(localPath, etag, chunks.bytes + tail.length, (target) =>
      this.downloadRanges(object, tail, chunks.ranges, target),
    );
    return localPath;
  }

  localInputDirs(rootUri: string): string[] {
    return STAGED_KINDS.map((kind) => this.localPath(rootUri, kind));
  }

  scratchDir(): string {
    return this.scratchRoot;
  }

  async publish(localFiles: readonly string[], destUri: string): Promise<PublishedFile[]> {
    const dest = this.locate(destUri);
    const published: PublishedFile[] = [];
    for (const file of [...localFiles].sort()) {
      const key = `${dest.key}/${path.basename(file)}`;
      const size = (await fs.stat(file)).size;
      await this.send(objectUri({ ...dest, key }), async () => {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: dest.bucket, Key: key, Body: createReadStream(file) },
          partSize: PART_BYTES,
          queueSize: PARALLEL_PARTS,
          leavePartsOnError: false,
        });
        await upload.done();
      });
      this.metrics.bytesUploaded += size;
      published.push({ uri: objectUri({ ...dest, key }), sizeBytes: size });
    }
    await this.removeStale(destUri, published);
    return published;
  }

  async copy(
    sources: readonly StoredObject[],
    names: readonly string[],
    destUri: string,
  ): Promise<PublishedFile[]> {
    const dest = this.locate(destUri);
    // The store copies each object on its side (CopyObject: up to 5 GB an object).
    const published = await pMap(
      sources,
      async (source, i) => {
        const from = this.locate(source.uri);
        const key = `${dest.key}/${names[i]}`;
        await this.send(source.uri, () =>
          this.client.send(
            new CopyObjectCommand({
              Bucket: dest.bucket,
              Key: key,
              CopySource: encodeURI(`${from.bucket}/${from.key}`),
              ...(source.etag ? { CopySourceIfMatch: source.etag } : {}),
            }),
          ),
        );
        return { uri: objectUri({ ...dest, key }), sizeBytes: source.size };
      },
      { concurrency: PARALLEL_OBJECTS },
    );
    await this.removeStale(destUri, published);
    return published.sort((a, b) => compareText(a.uri, b.uri));
  }

  /** Removes what an earlier run of a job left in its folder beside what it wrote now: never a duplicate. */
  private async removeStale(destUri: string, published: readonly PublishedFile[]): Promise<void> {
    const dest = this.locate(destUri);
    const keep = new Set(published.map((file) => file.uri));
    const stale = (await this.list(destUri, { recursive: false })).filter((object) => !keep.has(object.uri));
    if (stale.length > 0) {
      await this.send(destUri, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: dest.bucket,
            Delete: { Objects: stale.map((object) => ({ Key: this.locate(object.uri).key })) },
          }),
        ),
      );
    }
  }

  async write(uri: string, body: string): Promise<PublishedFile> {
    const { bucket, key } = this.locate(uri);
    const sizeBytes = Buffer.byteLength(body);
    // The length is given: the SDK measures no empty body (`_SUCCESS`), and warns of a stream of
    // unknown length on every export otherwise.
    await this.send(uri, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: sizeBytes }),
      ),
    );
    return { uri, sizeBytes };
  }

  async remove(folderUri: string): Promise<void> {
    const folder = this.locate(folderUri);
    // Never the whole bucket: a folder URI names at least one segment under it.
    if (!folder.key) throw new Error(`refusing to remove a whole bucket: ${folderUri}`);
    const prefix = `${folder.key.replace(/\/+$/, '')}/`;
    // Each round lists what is left from the start and deletes that page (at most 1000 keys, as
    // many as one DeleteObjects takes). Keys a round failed to delete (S3 answers per-key errors
    // such as SlowDown) are tried again by the next; only rounds that fail one after another give up.
    let failures = 0;
    for (;;) {
      const page: ListObjectsV2CommandOutput = await this.send(folderUri, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: folder.bucket, Prefix: prefix })),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      if (keys.length === 0) return;
      let failure: unknown;
      try {
        failure = await this.deleteKeys(folder.bucket, keys);
      } catch (error) {
        failure = error;
      }
      if (failure === undefined) failures = 0;
      else if (++failures >= REMOVE_ATTEMPTS) throw failure;
    }
  }

  async removeFiles(uris: readonly string[]): Promise<void> {
    const byBucket = new Map<string, string[]>();
    for (const uri of uris) {
      const { bucket, key } = this.locate(uri);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), key]);
    }
    // DeleteObjects takes 1,000 keys; a key that is not there counts as deleted.
    for (const [bucket, keys] of byBucket) {
      for (let i = 0; i < keys.length; i += 1000) {
        const refused = await this.deleteKeys(bucket, keys.slice(i, i + 1000));
        if (refused) throw refused;
      }
    }
  }

  /** Deletes up to 1,000 keys of a bucket; the first key the store refused, as an error. */
  private async deleteKeys(bucket: string, keys: readonly string[]): Promise<StorageError | undefined> {
    const uri = objectUri({ scheme: this.scheme, bucket, key: keys[0] ?? '' });
    const reply = await this.send(uri, () =>
      this.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
      ),
    );
    const refused = reply.Errors?.[0];
    if (!refused) return undefined;
    return new StorageError(
      'storage_error',
      `${objectUri({ scheme: this.scheme, bucket, key: refused.Key ?? '' })}: not deleted (${refused.Code}: ${refused.Message})`,
    );
  }

  /**
   * The object as it is now (its size and ETag read first), streamed in ranges of PART_BYTES, one at
   * a time: each range is read as a job reads its inputs (a body that breaks off is read again from
   * its first missing byte, every answer must be that version), so a download or an archive is
   * never cut short by one broken connection, nor made of two versions.
   */
  async read(uri: string): Promise<Readable> {
    const location = this.locate(uri);
    const head = await this.send(uri, () =>
      this.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })),
    );
    const object: StoredObject = {
      uri,
      size: head.ContentLength ?? 0,
      ...(head.ETag && { etag: head.ETag }),
    };
    return Readable.from(this.parts(object), { objectMode: false });
  }

  /** The object's bytes, one range of PART_BYTES after another. */
  private async *parts(object: StoredObject): AsyncGenerator<Buffer> {
    for (let start = 0; start < object.size; start += PART_BYTES) {
      yield await this.getRange(object, start, Math.min(object.size, start + PART_BYTES) - 1);
    }
  }

  async link(uri: string, validForMs: number, fileName: string, signedAt: Date): Promise<string> {
    const location = this.locate(uri);
    const command = new GetObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      ResponseContentDisposition: attachmentDisposition(fileName),
    });
    // SigV4 presigned URLs live at most 7 days.
    const expiresIn = Math.max(1, Math.min(7 * 86_400, Math.ceil(validForMs / 1000)));
    return getSignedUrl(this.client, command, { expiresIn, signingDate: signedAt });
  }

  join(folderUri: string, relative: string): string {
    return `${folderUri.replace(/\/+$/, '')}/${relative}`;
  }

  private locate(uri: string): ObjectLocation {
    const location = parseObjectUri(uri);
    if (!location || location.scheme !== this.scheme) throw new Error(`not a ${this.scheme}:// URI: ${uri}`);
    return location;
  }

  /**
   * Where a staged copy lives: the key's path is kept, so Hive folders stay columns for DuckDB. A
   * copy of some columns carries the name of its column set before its extension.
   */
  private localPath(uri: string, kind: StagedKind, columnSet?: string): string {
    const location = this.locate(uri);
    const key = columnSet ? location.key.replace(/(\.parquet)?$/, `.${columnSet}$1`) : location.key;
    return path.join(this.cache.root, kind, location.scheme, location.bucket, key);
  }

  private async downloadWhole(object: StoredObject, target: string): Promise<void> {
    const handle = await fs.open(target, 'w');
    try {
      const ranges: Array<[number, number]> = [];
      for (let start = 0; start < object.size; start += PART_BYTES) {
        ranges.push([start, Math.min(object.size, start + PART_BYTES) - 1]);
      }
      await pMap(
        ranges,
        async ([start, end]) => {
          const bytes = await this.getRange(object, start, end);
          await writeAll(handle, bytes, start);
        },
        { concurrency: PARALLEL_PARTS },
      );
    } finally {
      await handle.close();
    }
  }

  /**
   * A sparse file of the object's size holding the leading magic bytes, `tail` (the footer) and the
   * bytes of `ranges`, fetched with parallel ranged reads (long ranges in parts); the rest is holes
   * that nothing reads.
   */
  private async downloadRanges(
    object: StoredObject,
    tail: Buffer,
    ranges: ByteRanges,
    target: string,
  ): Promise<void> {
    const parts = ranges.flatMap(([start, end]) => {
      const split: Array<[number, number]> = [];
      for (let from = start; from < end; from += PART_BYTES)
        split.push([from, Math.min(end, from + PART_BYTES)]);
      return split;
    });
    const handle = await fs.open(target, 'w');
    try {
      await handle.truncate(object.size);
      if (this.options.holeFill !== undefined) await fillAll(handle, object.size, this.options.holeFill);
      await writeAll(handle, PARQUET_MAGIC, 0);
      await writeAll(handle, tail, object.size - tail.length);
      await pMap(
        parts,
        async ([start, end]) => writeAll(handle, await this.getRange(object, start, end - 1), start),
        { concurrency: PARALLEL_RANGES },
      );
    } finally {
      await handle.close();
    }
  }

  /**
   * A sparse file of the object's size holding only the magic bytes and the footer, so a count
   * downloads a tiny fraction of the data. The footers of one tree are much alike: one ranged read
   * of the object's end, as long as the last footer read and `FOOTER_SLACK_BYTES` more, mostly
   * holds the whole footer; when it does not (and on the first read), a second read fetches exactly
   * the rest.
   */
  private async downloadFooter(object: StoredObject, target: string): Promise<void> {
    const size = object.size;
    if (size < 12)
      throw new StorageError('input_unreadable', `${object.uri}: not a Parquet file (too small)`);
    const first = Math.min(
      size - 4,
      this.lastFooterBytes > 0 ? this.lastFooterBytes + FOOTER_SLACK_BYTES : 8,
    );
    const end = await this.getRange(object, size - first, size - 1);
    if (end.length !== first || !end.subarray(first - 4).equals(PARQUET_MAGIC)) {
      throw new StorageError('input_unreadable', `${object.uri}: not a Parquet file (no PAR1 footer)`);
    }
    const footerLength = end.readUInt32LE(first - 8);
    const footerStart = size - 8 - footerLength;
    if (footerStart < 4) throw new StorageError('input_unreadable', `${object.uri}: corrupt Parquet footer`);
    this.lastFooterBytes = footerLength + 8;
    const rest =
      footerStart < size - first ? await this.getRange(object, footerStart, size - first - 1) : undefined;
    const handle = await fs.open(target, 'w');
    try {
      await handle.truncate(size);
      await writeAll(handle, PARQUET_MAGIC, 0);
      if (rest) await writeAll(handle, rest, footerStart);
      await writeAll(handle, end, size - first);
    } finally {
      await handle.close();
    }
  }

  private async getRange(object: StoredObject, start: number, end: number): Promise<Buffer> {
    const location = this.locate(object.uri);
    return readRange(
      object,
      start,
      end,
      (from) =>
        this.send(object.uri, () =>
          this.client.send(
            new GetObjectCommand({
              Bucket: location.bucket,
              Key: location.key,
              Range: `bytes=${from}-${end}`,
              // The object must still be the one that was listed; a change fails the job clearly.
              ...(object.etag ? { IfMatch: object.etag } : {}),
            }),
          ),
        ),
      this.options.bodyRetry ?? DEFAULT_BODY_RETRY,
      (bytes) => {
        this.metrics.bytesDownloaded += bytes;
      },
    );
  }

  private async send<T>(uri: string, run: () => Promise<T>): Promise<T> {
    this.metrics.requests += 1;
    try {
      return await run();
    } catch (error) {
      throw objectError(uri, error);
    }
  }
}

/** A short stable name for what a sparse copy holds (its columns, whatever their order, and bounds). */
function copyName(columns: readonly string[], bounds: readonly ColumnBound[]): string {
  const held = [
    [...new Set(columns)].sort(),
    bounds.map(({ column, op, value }) => `${column} ${op} ${value}`).sort(),
  ];
  return `c${createHash('sha256').update(JSON.stringify(held)).digest('hex').slice(0, 12)}`;
}
