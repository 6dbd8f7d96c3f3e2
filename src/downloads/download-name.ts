import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * Longest name a download gets, in UTF-8 bytes: file systems take 255, and a browser may add
 * " (1)" to a name already taken.
 */
const MAX_NAME_BYTES = 200;

/**
 * Never in a saved name: path separators, quotes, what Windows refuses (`<>:|?*`), `%` (some
 * clients percent-decode names), control and format characters (a right-to-left override could
 * disguise the extension) and lone surrogates.
 */
const UNSAFE = /[/\\"'<>:|?*%\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * The name an exported file is downloaded as: its partition's folders and its own name joined by
 * `_` (`day=2024-05-01_prefix=4eyes_101_score=high_data_0.parquet`, `all_data_0.parquet`), since
 * every partition's first file is `data_0…`. Files at the export's root (a generic tree's `.`, the
 * manifest) keep their own name. Safe to save as is on any system: one path segment, no quotes or
 * control characters, at most 200 UTF-8 bytes (a partition too long for that is cut, and a hash
 * of it added so two long partitions still get two names). A file in a folder below its
 * partition's (a sliced people export's `people/bucket=3/`) has those folders in its name too.
 */
export function downloadName(partition: string, uri: string): string {
  const file = safe(path.posix.basename(uri));
  const folder = partitionFolder(partition, uri);
  // The partition, and the folders below its own the file is in.
  const below = folder === undefined ? '' : path.posix.dirname(uri).slice(folder.length);
  const folders = `${partition}${below}`
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map(safe);
  if (folders.length === 0) return file;
  const prefix = folders.join('_');
  const room = MAX_NAME_BYTES - Buffer.byteLength(file) - 1;
  if (Buffer.byteLength(prefix) <= room) return `${prefix}_${file}`;
  const hash = createHash('sha256').update(partition).digest('hex').slice(0, 8);
  return `${cut(prefix, room - hash.length - 1)}~${hash}_${file}`;
}

function safe(text: string): string {
  return text.normalize('NFC').replace(UNSAFE, '_');
}

/** The longest start of `text` (whole characters) of at most `maxBytes` UTF-8 bytes. */
function cut(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/**
 * The folder of a file's partition, as a prefix of its URI: `…/{task}/people` for
 * `…/{task}/people/bucket=3/data_0.parquet`; undefined when the URI does not name the partition.
 */
export function partitionFolder(partition: string, uri: string): string | undefined {
  const at = uri.lastIndexOf(`/${partition}/`);
  return at < 0 ? undefined : uri.slice(0, at + 1 + partition.length);
}
