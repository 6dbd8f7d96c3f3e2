/**
 * The partitions of a generic tree are the folders that hold its files, at any depth; `k=v` folders
 * name columns when the whole tree uses the same keys.
 */
import type { StoredObject } from '../../storage/storage.ts';

/** The objects of each partition folder (relative to the root; `.` for the root itself). */
export function objectsByFolder(
  objects: readonly StoredObject[],
  inputRoot: string,
): Map<string, StoredObject[]> {
  const byFolder = new Map<string, StoredObject[]>();
  const root = inputRoot.replace(/\/+$/, '');
  for (const object of objects) {
    const relative = object.uri.slice(root.length + 1);
    const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '.';
    const inFolder = byFolder.get(folder);
    if (inFolder) inFolder.push(object);
    else byFolder.set(folder, [object]);
  }
  return byFolder;
}

/** Files per partition folder (see `objectsByFolder`). */
export function partitionFiles(files: readonly StoredObject[], inputRoot: string): Map<string, number> {
  return new Map(
    [...objectsByFolder(files, inputRoot)].map(([folder, inFolder]) => [folder, inFolder.length]),
  );
}

/**
 * DuckDB reads `k=v` folders as columns only when every file has the same keys, so a generic tree
 * gets Hive columns when all its partition folders share one key list (and it has one at all).
 */
export function sameHiveKeys(partitions: readonly string[]): boolean {
  const keysOf = (partition: string) =>
    partition === '.'
      ? ''
      : partition
          .split('/')
          .map((segment) => segment.split('=', 1)[0] + (segment.includes('=') ? '=' : ''))
          .join('/');
  const first = keysOf(partitions[0] ?? '.');
  return first.includes('=') && partitions.every((p) => keysOf(p) === first);
}
