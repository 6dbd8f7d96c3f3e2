import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { compareText } from '../compare.ts';
import type { PublishedFile, StagedFiles, StageOptions, Storage, StoredObject } from './storage.ts';
import { StorageError } from './storage-error.ts';

/** Local folders: inputs are read in place, exports are renamed into their final folder. */
export class LocalStorage implements Storage {
  constructor(private readonly scratchRoot: string) {}

  async list(folderUri: string, options: { recursive: boolean; limit?: number }): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    await walk(folderUri, options.recursive, found, options.limit ?? Number.POSITIVE_INFINITY);
    return found.sort((a, b) => compareText(a.uri, b.uri));
  }

  /** Read in place; with `verify`, after checking each file is still the one that was listed. */
  async stage(objects: readonly StoredObject[], options: StageOptions = {}): Promise<StagedFiles> {
    // A listing that just happened needs no second stat of every file.
    for (const [i, object] of (options.verify ? objects : []).entries()) {
      if (i > 0 && i % CALLS_PER_TURN === 0) await setImmediate();
      let size: number;
      try {
        size = fs.statSync(object.uri).size;
      } catch {
        throw new StorageError(
          'object_not_found',
          `${object.uri}: the file does not exist (it may have been deleted while the task ran)`,
        );
      }
      if (size !== object.size) {
        throw new StorageError(
          'object_changed',
          `${object.uri}: the file changed while the task ran; run the task again`,
        );
      }
    }
    return { paths: objects.map((o) => o.uri), release: () => undefined };
  }

  async link(): Promise<undefined> {
    return undefined;
  }

  localInputDirs(rootUri: string): string[] {
    return [rootUri];
  }

  scratchDir(): string {
    fs.mkdirSync(this.scratchRoot, { recursive: true });
    return this.scratchRoot;
  }

  /**
   * Moves the files into place by rename where scratch and destination share a file system (the
   * output folder), else by copy (the service's own area, `SNAPSHOT_PATH`, may be another). The calls
   * are synchronous: each rename takes microseconds, and a job publishing hundreds of partitions
   * would otherwise spend most of its time handing them to the thread pool.
   */
  async publish(localFiles: readonly string[], destUri: string): Promise<PublishedFile[]> {
    // One partition per turn of the event loop, so requests are answered between partitions.
    await setImmediate();
    // Replace the partition's files: a re-run job leaves no file of its earlier run.
    clearFiles(destUri);
    const names = localFiles.map((file) => path.basename(file)).sort();
    const source = localFiles.length > 0 ? path.dirname(localFiles[0]!) : undefined;
    // When the files are all a scratch folder holds, the folder itself moves: one rename, and no
    // new folder to create (creating folders is the slow part on a journalled file system).
    if (
      !(
        source &&
        localFiles.every((file) => path.dirname(file) === source) &&
        sameNames(source, names) &&
        renamedInto(source, destUri)
      )
    ) {
      fs.mkdirSync(destUri, { recursive: true });
      for (const file of localFiles) moveFile(file, path.join(destUri, path.basename(file)));
    }
    return names.map((name) => {
      const target = path.join(destUri, name);
      return { uri: target, sizeBytes: fs.statSync(target).size };
    });
  }

  async copy(
    sources: readonly StoredObject[],
    names: readonly string[],
    destUri: string,
  ): Promise<PublishedFile[]> {
    // Replace the partition's files, as `publish` does.
    clearFiles(destUri);
    await fsp.mkdir(destUri, { recursive: true });
    // A copy-on-write clone where the file system offers one, else a kernel-side copy.
    await Promise.all(
      sources.map((source, i) =>
        fsp.copyFile(source.uri, path.join(destUri, names[i]!), fs.constants.COPYFILE_FICLONE),
      ),
    );
    return [...names].sort().map((name) => {
      const target = path.join(destUri, name);
      return { uri: target, sizeBytes: fs.statSync(target).size };
    });
  }

  async write(uri: string, body: string): Promise<PublishedFile> {
    fs.mkdirSync(path.dirname(uri), { recursive: true });
    // Renamed into place once complete: a reader never sees a half-written file.
    const partial = `${uri}.${process.pid}.${Date.now()}.partial`;
    try {
      await fsp.writeFile(partial, body);
      await fsp.rename(partial, uri);
    } catch (error) {
      // A full disk leaves no half-written file behind.
      await fsp.rm(partial, { force: true });
      throw error;
    }
    // A writer killed between the two steps left its partial file; the one that wrote it whole
    // (its job's new owner) removes it.
    const stale = `${path.basename(uri)}.`;
    for (const name of fs.readdirSync(path.dirname(uri))) {
      if (name.startsWith(stale) && name.endsWith('.partial')) {
        fs.rmSync(path.join(path.dirname(uri), name), { force: true });
      }
    }
    return { uri, sizeBytes: Buffer.byteLength(body) };
  }

  async remove(folderUri: string): Promise<void> {
    await fsp.rm(folderUri, { recursive: true, force: true });
  }

  async removeFiles(uris: readonly string[]): Promise<void> {
    let failure: unknown;
    for (const uri of uris) {
      try {
        await fsp.rm(uri);
      } catch (error) {
        // Not there, or a file stands where one of its folders would be: nothing to remove.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  async read(uri: string): Promise<Readable> {
    await fsp.access(uri, fs.constants.R_OK);
    return fs.createReadStream(uri);
  }

  join(folderUri: string, relative: string): string {
    return path.join(folderUri, relative);
  }
}

/**
 * Removes the files directly in a folder (an earlier run's), never its sub-folders: those are other
 * partitions (the folder of a generic tree's root partition `.` is the task's own). A folder left
 * empty is removed.
 */
function clearFiles(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) fs.rmSync(path.join(dir, entry.name), { force: true });
  }
  if (entries.every((entry) => !entry.isDirectory())) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Moves a whole folder to `destUri` when nothing is there; false when something is (another
 * partition's folder created under it meanwhile), for the caller to move the files one by one.
 */
function renamedInto(source: string, destUri: string): boolean {
  fs.mkdirSync(path.dirname(destUri), { recursive: true });
  if (fs.existsSync(destUri)) return false;
  try {
    fs.renameSync(source, destUri);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EXDEV: another file system, where only the files can move (by copy).
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EXDEV') return false;
    throw error;
  }
}

/**
 * Renames a file, or across file systems copies it under a temporary name, renames that into
 * place (a reader never sees half a file) and removes the source.
 */
function moveFile(source: string, target: string): void {
  try {
    fs.renameSync(source, target);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.copyFileSync(source, partial);
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  fs.rmSync(source, { force: true });
}

/** Whether a folder holds exactly these names (sorted). */
function sameNames(dir: string, names: readonly string[]): boolean {
  const held = fs.readdirSync(dir).sort();
  return held.length === names.length && held.every((name, i) => name === names[i]);
}

/** File-system calls between two yields to the event loop while listing. */
const CALLS_PER_TURN = 64;

/**
 * Depth-first in name order; symlinks are neither followed nor listed, so a link cannot lead out of
 * the root. The calls are synchronous (a `readdir` or `stat` of a cached folder takes microseconds,
 * while the thread pool adds a hand-off to each and is shared with DuckDB's start-up), and the walk
 * yields to the event loop every few dozen calls.
 */
async function walk(dir: string, recursive: boolean, found: StoredObject[], limit: number): Promise<void> {
  const budget = { calls: 0 };
  await walkFolder(dir, recursive, found, limit, budget);
}

async function walkFolder(
  dir: string,
  recursive: boolean,
  found: StoredObject[],
  limit: number,
  budget: { calls: number },
): Promise<void> {
  const spend = async () => {
    if (++budget.calls % CALLS_PER_TURN === 0) await setImmediate();
  };
  let entries: fs.Dirent[];
  try {
    await spend();
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return;
    }
    throw error;
  }
  entries.sort((a, b) => compareText(a.name, b.name));
  for (const entry of entries) {
    if (found.length >= limit) return;
    // Hidden and underscore files are writer leftovers (_SUCCESS, .crc, in-progress temp files).
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) await walkFolder(full, recursive, found, limit, budget);
    } else if (entry.isFile() && entry.name.endsWith('.parquet')) {
      await spend();
      const stat = fs.statSync(full);
      // The modification time stands in for an object store's ETag: a file rewritten with the same
      // size still reads as changed to whoever caches what it read (footers, schemas).
      found.push({ uri: full, size: stat.size, etag: `mtime:${stat.mtimeMs}` });
    }
  }
}
