import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { Store } from '../store/store.ts';
import type { DownloadLinks } from './download-links.ts';

/** Serves exported files to holders of a valid link. */
export class DownloadService {
  constructor(
    private readonly store: Store,
    private readonly storage: Storage,
    private readonly links: DownloadLinks,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async open(fileId: string, name: string, expires: string | undefined, signature: string | undefined) {
    const now = this.clock();
    const invalid = new AppError(
      'link_invalid',
      'the link is invalid or has expired; read the task status for a fresh one',
    );
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) throw invalid;
    if (!this.links.verify(fileId, Number(expires), signature, now)) throw invalid;
    const file = await this.store.findFile(fileId);
    // The name in the URL is cosmetic but must match, so one file is never served under another's name.
    if (!file || file.expiresAt <= now.toISOString() || path.basename(file.uri) !== name) {
      throw new AppError('not_found', 'no such file (its task may have expired)');
    }
    let stream: Readable;
    try {
      stream = await this.storage.read(file.uri);
    } catch {
      throw new AppError('not_found', 'the file is no longer in storage');
    }
    return { stream, name: path.basename(file.uri), sizeBytes: file.sizeBytes };
  }
}
