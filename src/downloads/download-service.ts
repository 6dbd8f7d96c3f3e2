import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Principal } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';
import { attachmentDisposition } from '../storage/content-disposition.ts';
import type { Storage } from '../storage/storage.ts';
import type { Store } from '../store/store.ts';
import { taskNotFound } from '../tasks/task-reader.ts';
import type { DownloadLinks } from './download-links.ts';
import { downloadName } from './download-name.ts';
import { archiveEntries, type ZipStream, zipStream } from './task-archive.ts';

/** A file being served: its bytes, length, and the `Content-Disposition` that names it. */
export interface Download {
  stream: Readable;
  /** The name it is saved as (see `downloadName`). */
  name: string;
  /** The byte length, or -1 when it cannot be known before the stream ends. */
  sizeBytes: number;
  disposition: string;
}

/** Serves exported files to holders of a valid link, and a completed task's files as one ZIP. */
export class DownloadService {
  constructor(
    private readonly store: Store,
    private readonly storage: Storage,
    private readonly links: DownloadLinks,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async open(
    fileId: string,
    name: string,
    expires: string | undefined,
    signature: string | undefined,
  ): Promise<Download> {
    const now = this.clock();
    const invalid = new AppError(
      'link_invalid',
      'the link is invalid or has expired; read the task status for a fresh one',
    );
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) throw invalid;
    if (!this.links.verify(fileId, Number(expires), signature, now)) throw invalid;
    const missing = new AppError('not_found', 'no such file (its task may have expired)');
    const file = await this.store.findFile(fileId);
    if (!file || file.expiresAt <= now.toISOString()) throw missing;
    const saveAs = downloadName(file.partition, file.uri);
    // The name in the URL is cosmetic but must match, so one file is never served under another's
    // name. Links signed before names carried the partition named the file alone.
    if (name !== saveAs && name !== path.basename(file.uri)) throw missing;
    let stream: Readable;
    try {
      stream = await this.storage.read(file.uri);
    } catch {
      throw new AppError('not_found', 'the file is no longer in storage');
    }
    return { stream, name: saveAs, sizeBytes: file.sizeBytes, disposition: attachmentDisposition(saveAs) };
  }

  /**
   * Every file of a completed task's export and its `manifest.json` as one ZIP, streamed from
   * storage as it is sent (see `zipStream`). `task_not_found` for an unknown, expired or other
   * organisation's task; `task_state_conflict` until the task is completed.
   */
  async archive(principal: Principal, taskId: string): Promise<Download> {
    const now = this.clock();
    const task = await this.store.findTask(principal.organizationId, taskId, now.toISOString());
    if (!task) throw taskNotFound(taskId);
    const entries =
      task.status === 'completed' ? archiveEntries(await this.store.listFiles(task.id)) : undefined;
    if (!entries) {
      throw new AppError(
        'task_state_conflict',
        `task ${taskId} is ${task.status}: its archive can be downloaded once its export has completed`,
      );
    }
    // The entries' times are the export's, so the same task always gives the same bytes.
    const mtime = new Date(task.completedAt ?? task.updatedAt);
    const zip: ZipStream = zipStream(entries, (uri) => this.storage.read(uri), mtime);
    const name = `task-${task.id}.zip`;
    return { stream: zip.stream, name, sizeBytes: zip.sizeBytes, disposition: attachmentDisposition(name) };
  }
}
