import { AudiencesError } from './audiences-error.ts';
import type { TaskFile } from './client-types.ts';

/** Byte progress of a download, over all of its files. */
export interface DownloadProgress {
  /** The local path of the file being written. */
  file: string;
  /** Bytes written so far, over every file. */
  bytesDone: number;
  /** Bytes of every file (the sum of `size_bytes`). */
  bytesTotal: number;
  /** Files finished (checked and renamed). */
  filesDone: number;
  filesTotal: number;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** A file written by `download`. */
export interface DownloadedFile {
  /** Where it is: `dir/<partition>/<file name>`. */
  path: string;
  partition: string;
  bytes: number;
  rows: number;
}

/**
 * Streams each file to `dir/<partition>/<name>` through a temporary name in the same folder, and
 * renames it only once its size (and SHA-256, when the task lists one) is what the task says, so a
 * failed or aborted download leaves no file that looks whole. Node only: its modules are imported
 * here, when called, so the client still loads in a browser.
 */
export async function downloadFiles(
  files: readonly TaskFile[],
  dir: string,
  options: DownloadOptions,
  open: (file: TaskFile, signal?: AbortSignal) => Promise<Response>,
): Promise<DownloadedFile[]> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { createHash, randomUUID } = await import('node:crypto');
  const { Readable, Transform } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');

  const root = path.resolve(dir);
  const bytesTotal = files.reduce((sum, file) => sum + file.size_bytes, 0);
  let bytesDone = 0;
  const written: DownloadedFile[] = [];
  for (const file of files) {
    const target = targetOf(path, root, file);
    const report = () =>
      options.onProgress?.({
        file: target,
        bytesDone,
        bytesTotal,
        filesDone: written.length,
        filesTotal: files.length,
      });
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const response = await open(file, options.signal);
      if (!response.body) throw mismatch(file, 'the answer has no body');
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          bytesDone += chunk.length;
          hash.update(chunk);
          report();
          done(null, chunk);
        },
      });
      const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
      await pipeline(body, count, fs.createWriteStream(temporary, { flags: 'wx' }), {
        signal: options.signal,
      });
      if (bytes !== file.size_bytes) {
        throw mismatch(file, `got ${bytes} bytes, the task lists ${file.size_bytes}`, 'size_mismatch');
      }
      const sha256 = hash.digest('hex');
      if (file.sha256 && sha256 !== file.sha256) {
        throw mismatch(file, `SHA-256 ${sha256}, the task lists ${file.sha256}`, 'checksum_mismatch');
      }
      await fs.promises.rename(temporary, target);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    }
    written.push({ path: target, partition: file.partition, bytes, rows: file.rows });
    report();
  }
  return written;
}

/**
 * `root/<partition>/<last segment of the uri>`, with any folders the uri has between the two (a
 * sliced people export's `people/bucket=3/`), refusing names that would leave `root`.
 */
function targetOf(path: typeof import('node:path'), root: string, file: TaskFile): string {
  const name = file.uri.split('/').pop() ?? '';
  const at = file.uri.lastIndexOf(`/${file.partition}/`);
  const folders =
    at < 0
      ? [file.partition]
      : file.uri
          .slice(at + 1)
          .split('/')
          .slice(0, -1);
  const target = path.resolve(root, ...folders, name);
  const inside = path.relative(root, target);
  if (!name || name === '..' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw mismatch(
      file,
      `partition ${JSON.stringify(file.partition)} and name ${JSON.stringify(name)} leave the folder`,
      'unsafe_path',
    );
  }
  return target;
}

function mismatch(file: TaskFile, reason: string, code = 'download_failed'): AudiencesError {
  return new AudiencesError({ status: 0, code, detail: `${file.uri}: ${reason}` });
}
