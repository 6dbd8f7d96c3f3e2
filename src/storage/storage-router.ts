import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { LocalStorage } from './local-storage.ts';
import type { ObjectScheme } from './object-location.ts';
import type { ObjectStorage } from './object-storage.ts';
import type { PublishedFile, StagedFiles, StageOptions, Storage, StoredObject } from './storage.ts';
import { StorageError } from './storage-error.ts';

/** One Storage over every kind of URI: local paths, `s3://` and `gs://`, each to its backend. */
export class StorageRouter implements Storage {
  constructor(
    private readonly local: LocalStorage,
    private readonly objects: Partial<Record<ObjectScheme, ObjectStorage>>,
  ) {}

  list(folderUri: string, options: { recursive: boolean; limit?: number }): Promise<StoredObject[]> {
    return this.pick(folderUri).list(folderUri, options);
  }

  async stage(objects: readonly StoredObject[], options?: StageOptions): Promise<StagedFiles> {
    if (objects.length === 0) return { paths: [], release: () => undefined };
    return this.pick(objects[0]!.uri).stage(objects, options);
  }

  localInputDirs(rootUri: string): string[] {
    return this.pick(rootUri).localInputDirs(rootUri);
  }

  scratchDir(): string {
    return this.local.scratchDir();
  }

  publish(localFiles: readonly string[], destUri: string): Promise<PublishedFile[]> {
    return this.pick(destUri).publish(localFiles, destUri);
  }

  /**
   * Within one backend, its own copy; across backends (a local tree exported to S3, a bucket to a
   * local folder or to the other store), each object is staged whole, then published under its name.
   */
  async copy(
    sources: readonly StoredObject[],
    names: readonly string[],
    destUri: string,
  ): Promise<PublishedFile[]> {
    const dest = this.pick(destUri);
    if (sources.every((source) => this.pick(source.uri) === dest)) return dest.copy(sources, names, destUri);
    const staged = await this.stage(sources);
    const folder = await fsp.mkdtemp(path.join(this.scratchDir(), 'copy-'));
    try {
      // Links under the names the copies take: nothing is copied twice locally.
      const local = await Promise.all(
        staged.paths.map(async (file, i) => {
          const named = path.join(folder, names[i]!);
          // Another file system (a local tree exported to S3): a copy instead.
          await fsp.link(file, named).catch(() => fsp.copyFile(file, named));
          return named;
        }),
      );
      return await dest.publish(local, destUri);
    } finally {
      staged.release();
      await fsp.rm(folder, { recursive: true, force: true });
    }
  }

  write(uri: string, body: string): Promise<PublishedFile> {
    return this.pick(uri).write(uri, body);
  }

  remove(folderUri: string): Promise<void> {
    return this.pick(folderUri).remove(folderUri);
  }

  async removeFiles(uris: readonly string[]): Promise<void> {
    if (uris.length > 0) await this.pick(uris[0]!).removeFiles(uris);
  }

  read(uri: string): Promise<Readable> {
    return this.pick(uri).read(uri);
  }

  link(uri: string, validForMs: number, fileName: string, signedAt: Date): Promise<string | undefined> {
    return this.pick(uri).link(uri, validForMs, fileName, signedAt);
  }

  join(folderUri: string, relative: string): string {
    return this.pick(folderUri).join(folderUri, relative);
  }

  private pick(uri: string): Storage {
    const scheme = /^(s3|gs):\/\//.exec(uri)?.[1] as ObjectScheme | undefined;
    if (!scheme) return this.local;
    const backend = this.objects[scheme];
    if (!backend)
      throw new StorageError(
        'storage_not_configured',
        `${scheme}:// storage is not configured on this server`,
      );
    return backend;
  }
}
