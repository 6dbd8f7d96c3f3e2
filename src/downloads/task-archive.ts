import path from 'node:path';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { compareText } from '../compare.ts';
import { type FileRecord, MANIFEST_PARTITION } from '../store/store.ts';

/** One file of a task's archive: where it goes in the ZIP, and where it is stored. */
export interface ArchiveEntry {
  path: string;
  uri: string;
  sizeBytes: number;
}

/** A ZIP being streamed, and its exact length (-1 when it cannot be known ahead). */
export interface ZipStream {
  stream: Readable;
  sizeBytes: number;
}

/**
 * Where each file of a finished export goes in its archive: `manifest.json` first, then every file
 * at the path the manifest gives it (relative to the task's folder, so partition folders stay
 * folders), in path order. Undefined without a manifest (no export of the task has completed).
 */
export function archiveEntries(files: readonly FileRecord[]): ArchiveEntry[] | undefined {
  const manifest = files.find((file) => file.partition === MANIFEST_PARTITION);
  if (!manifest) return undefined;
  // The manifest lies in the task's folder; file paths in the manifest are relative to it.
  const root = manifest.uri.slice(0, manifest.uri.length - path.posix.basename(manifest.uri).length);
  const data = files
    .filter((file) => file.partition !== MANIFEST_PARTITION)
    .map((file) => ({ path: entryPath(file, root), uri: file.uri, sizeBytes: file.sizeBytes }))
    .sort((a, b) => compareText(a.path, b.path));
  return [
    { path: path.posix.basename(manifest.uri), uri: manifest.uri, sizeBytes: manifest.sizeBytes },
    ...data,
  ];
}

/** A relative, `/`-separated path that never climbs out of the folder the ZIP is unpacked in. */
function entryPath(file: FileRecord, root: string): string {
  const relative = file.uri.startsWith(root)
    ? file.uri.slice(root.length)
    : `${file.partition}/${path.posix.basename(file.uri)}`;
  return relative
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .join('/');
}

/**
 * One ZIP of the entries, streamed as it is read: each file is opened only when the archive
 * reaches it and piped through (stored, not deflated: Parquet and gzip are compressed already), so
 * the process holds a few stream buffers and one open file whatever the archive's size, and the
 * reader's pace sets the pace of the storage reads. Every entry's size is known, so the archive's
 * length is too (ZIP64 where an entry or the archive passes 4 GiB). A file that cannot be read, or
 * that is not the size its record says, ends the stream with an error: the reader sees a cut
 * download, never a ZIP that is missing a file.
 */
export function zipStream(
  entries: readonly ArchiveEntry[],
  read: (uri: string) => Promise<Readable>,
  mtime: Date,
): ZipStream {
  const zip = new ZipFile();
  const output = zip.outputStream;
  let current: Readable | undefined;
  const fail = (error: Error) => {
    current?.destroy();
    output.destroy(error);
  };
  zip.on('error', fail);
  // The reader went away (or the archive ended): release the file being read.
  output.on('close', () => current?.destroy());
  for (const entry of entries) {
    const options = { mtime, mode: 0o100644, compress: false, size: entry.sizeBytes };
    zip.addReadStreamLazy(entry.path, options, (callback) => {
      if (output.destroyed) return;
      read(entry.uri).then((stream) => {
        current = stream;
        // yazl pipes the stream, and a pipe does not pass a source's error on.
        stream.on('error', fail);
        callback(null, stream);
      }, fail);
    });
  }
  let sizeBytes = -1;
  // Called at once: every entry is a stream of known size, stored.
  zip.end({}, (size) => {
    sizeBytes = size;
  });
  return { stream: output, sizeBytes };
}
